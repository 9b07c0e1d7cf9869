package io.valkeyrie.boot.autoconfigure;

import java.net.URI;
import java.util.List;

import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties.Redis;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Spring Boot's Redis connection details taken from {@code valkeyrie.redis.*}, so that an
 * application with {@code spring-boot-starter-data-redis} and only valkeyrie's Redis
 * settings gets one Redis: Boot's connection factory, its {@code redis} health indicator
 * and the store all use the same server (instead of Boot probing {@code localhost:6379}).
 * When the store uses TLS ({@code rediss://} endpoints or {@code valkeyrie.redis.ssl.bundle}),
 * so does Boot, with the same SSL bundle (the JVM's default trust without one).
 */
class ValkeyrieDataRedisConnectionDetails implements DataRedisConnectionDetails {

	private final Redis redis;

	private final List<URI> endpoints;

	private final @Nullable SslBundles sslBundles;

	ValkeyrieDataRedisConnectionDetails(Redis redis, @Nullable SslBundles sslBundles) {
		this.redis = redis;
		this.sslBundles = sslBundles;
		this.endpoints = redis.getEndpoints()
			.stream()
			.map((endpoint) -> URI.create(endpoint.contains("://") ? endpoint : "redis://" + endpoint))
			.toList();
	}

	@Override
	public @Nullable String getUsername() {
		return (this.redis.getUsername() != null) ? this.redis.getUsername() : userInfo(0);
	}

	@Override
	public @Nullable String getPassword() {
		return (this.redis.getPassword() != null) ? this.redis.getPassword() : userInfo(1);
	}

	/** The store's bundle; the JVM's default trust for {@code rediss://} without one, as the store does. */
	@Override
	public @Nullable SslBundle getSslBundle() {
		String bundle = this.redis.getSsl().getBundle();
		if (bundle != null) {
			return PropertiesValkeyrieConnectionDetails.sslBundle(this.sslBundles, "redis", bundle);
		}
		boolean tls = this.endpoints.stream().anyMatch((uri) -> "rediss".equalsIgnoreCase(uri.getScheme()));
		return tls ? SslBundle.systemDefault() : null;
	}

	@Override
	public @Nullable Standalone getStandalone() {
		if (this.redis.getSentinelMaster() != null || isCluster()) {
			return null;
		}
		URI first = this.endpoints.get(0);
		return Standalone.of(first.getHost(), port(first), database(first));
	}

	@Override
	public @Nullable Sentinel getSentinel() {
		String master = this.redis.getSentinelMaster();
		if (master == null) {
			return null;
		}
		List<Node> nodes = this.endpoints.stream().map((uri) -> new Node(uri.getHost(), port(uri))).toList();
		int database = database(this.endpoints.get(0));
		return new Sentinel() {

			@Override
			public int getDatabase() {
				return database;
			}

			@Override
			public String getMaster() {
				return master;
			}

			@Override
			public List<Node> getNodes() {
				return nodes;
			}

			@Override
			public @Nullable String getUsername() {
				return null;
			}

			@Override
			public @Nullable String getPassword() {
				return null;
			}

		};
	}

	/** Several endpoints without a Sentinel master, or {@code cluster=true}: nodes of a Redis Cluster, as the store takes them. */
	@Override
	public @Nullable Cluster getCluster() {
		if (!isCluster()) {
			return null;
		}
		List<Node> nodes = this.endpoints.stream().map((uri) -> new Node(uri.getHost(), port(uri))).toList();
		return () -> nodes;
	}

	private boolean isCluster() {
		return this.redis.getSentinelMaster() == null
				&& (this.endpoints.size() > 1 || Boolean.TRUE.equals(this.redis.getCluster()));
	}

	private @Nullable String userInfo(int part) {
		String userInfo = this.endpoints.get(0).getUserInfo();
		if (userInfo == null) {
			return null;
		}
		String[] parts = userInfo.split(":", 2);
		// redis://:password@host has an empty user name: Redis's default user.
		return (part < parts.length && !parts[part].isEmpty()) ? parts[part] : null;
	}

	private static int port(URI uri) {
		return (uri.getPort() != -1) ? uri.getPort() : 6379;
	}

	private static int database(URI uri) {
		String path = uri.getPath();
		return (path == null || path.length() <= 1) ? 0 : Integer.parseInt(path.substring(1));
	}

}
