package io.valkeyrie.boot.testcontainers;

import org.testcontainers.utility.DockerImageName;

/**
 * The images the tests run, as {@code scripts/docker} builds and tags them (it exports
 * their names); a machine with a registry pulls the public images of the same names.
 */
public final class DockerImages {

	public static final DockerImageName REDIS = image("VALKEYRIE_TEST_REDIS_IMAGE", "redis:7.0.15");

	public static final DockerImageName ETCD = image("VALKEYRIE_TEST_ETCD_IMAGE", "quay.io/coreos/etcd:v3.4.23");

	public static final DockerImageName ETCD_GCR = image("VALKEYRIE_TEST_ETCD_GCR_IMAGE",
			"gcr.io/etcd-development/etcd:v3.4.23");

	public static final DockerImageName ETCD_BITNAMI = image("VALKEYRIE_TEST_ETCD_BITNAMI_IMAGE",
			"bitnami/etcd:3.4.23");

	public static final DockerImageName CONSUL = image("VALKEYRIE_TEST_CONSUL_IMAGE", "hashicorp/consul:1.8.7");

	public static final DockerImageName ZOOKEEPER = image("VALKEYRIE_TEST_ZOOKEEPER_IMAGE", "zookeeper:3.9.3");

	private DockerImages() {
	}

	private static DockerImageName image(String variable, String defaultName) {
		String name = System.getenv(variable);
		return DockerImageName.parse((name != null && !name.isBlank()) ? name : defaultName);
	}

}
