package io.valkeyrie.boot.docker;

import java.util.Map;

import io.valkeyrie.boot.autoconfigure.ValkeyrieConnectionDetails;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which image names each backend's factory recognizes, as users write them (registry, tag,
 * digest), through the registered factories and Spring Boot's own name matching. No
 * container runs: only the names are under test here.
 */
class BackendImageMatchingTests {

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource({ "redis:7.4, redis, redis://127.0.0.1:40000", "docker.io/library/redis, redis, redis://127.0.0.1:40000",
			"valkey/valkey:8.1, redis, redis://127.0.0.1:40000",
			"redis/redis-stack-server:latest, redis, redis://127.0.0.1:40000",
			"quay.io/coreos/etcd:v3.5.17, etcd, http://127.0.0.1:40000",
			"gcr.io/etcd-development/etcd:v3.5.17, etcd, http://127.0.0.1:40000",
			"bitnami/etcd:3.5, etcd, http://127.0.0.1:40000", "hashicorp/consul:1.20, consul, http://127.0.0.1:40000",
			"consul:1.15, consul, http://127.0.0.1:40000", "bitnami/consul, consul, http://127.0.0.1:40000",
			"zookeeper:3.9.3, zookeeper, 127.0.0.1:40000",
			"bitnami/zookeeper@sha256:0000000000000000000000000000000000000000000000000000000000000000, zookeeper, 127.0.0.1:40000" })
	void imageIsRecognized(String image, String backend, String endpoint) {
		Map<Class<?>, ?> details = connectionDetails(image);
		assertThat(details).containsOnlyKeys(ValkeyrieConnectionDetails.class);
		ValkeyrieConnectionDetails valkeyrie = (ValkeyrieConnectionDetails) details.get(ValkeyrieConnectionDetails.class);
		assertThat(valkeyrie.getBackend()).isEqualTo(backend);
		assertThat(valkeyrie.getEndpoints()).containsExactly(endpoint);
	}

	@ParameterizedTest
	@CsvSource({ "postgres:17", "etcd:3.5", "bitnami/redis-sentinel", "example.com/zookeeper-exporter" })
	void otherImagesAreNot(String image) {
		assertThat(connectionDetails(image)).isEmpty();
	}

	private static Map<Class<?>, ?> connectionDetails(String image) {
		return TestRunningService.connectionDetails(new TestRunningService(image, Map.of(), (port) -> 40000));
	}

}
