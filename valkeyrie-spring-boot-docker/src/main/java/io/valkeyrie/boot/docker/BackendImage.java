package io.valkeyrie.boot.docker;

import java.util.List;

/**
 * The container images of each backend that a service connection recognizes, by name as
 * Spring Boot matches them (the repository, without registry and tag), with the port the
 * server listens on inside the container and the form of its endpoints.
 */
public enum BackendImage {

	/** Redis and Valkey: the official images and Redis Stack. */
	REDIS("redis", 6379, List.of("redis", "valkey/valkey", "redis/redis-stack", "redis/redis-stack-server")) {
		@Override
		public String endpoint(String host, int port, boolean tls) {
			return (tls ? "rediss://" : "redis://") + host + ":" + port;
		}
	},

	/** etcd: the project's images on Quay and GCR, and Bitnami's. */
	ETCD("etcd", 2379, List.of("coreos/etcd", "etcd-development/etcd", "bitnami/etcd")) {
		@Override
		public String endpoint(String host, int port, boolean tls) {
			return (tls ? "https://" : "http://") + host + ":" + port;
		}
	},

	/** Consul: HashiCorp's image, its older library name and Bitnami's. */
	CONSUL("consul", 8500, List.of("hashicorp/consul", "consul", "bitnami/consul")) {
		@Override
		public String endpoint(String host, int port, boolean tls) {
			return (tls ? "https://" : "http://") + host + ":" + port;
		}
	},

	/** ZooKeeper: the official image and Bitnami's. */
	ZOOKEEPER("zookeeper", 2181, List.of("zookeeper", "bitnami/zookeeper")) {
		@Override
		public String endpoint(String host, int port, boolean tls) {
			return host + ":" + port;
		}
	};

	private final String backend;

	private final int port;

	private final List<String> names;

	BackendImage(String backend, int port, List<String> names) {
		this.backend = backend;
		this.port = port;
		this.names = names;
	}

	/**
	 * The valkeyrie backend the image runs.
	 * @return the backend name, as {@code valkeyrie.backend} takes it
	 */
	public String backend() {
		return this.backend;
	}

	/**
	 * The port clients connect to inside the container.
	 * @return the container port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * The image names (repositories without registry or tag) of this backend.
	 * @return the names
	 */
	public List<String> names() {
		return this.names;
	}

	/**
	 * The endpoint of a server reached at the given address.
	 * @param host the host the port is published on
	 * @param port the published port
	 * @param tls whether the connection is secured
	 * @return the endpoint in the backend's own form
	 */
	public abstract String endpoint(String host, int port, boolean tls);

}
