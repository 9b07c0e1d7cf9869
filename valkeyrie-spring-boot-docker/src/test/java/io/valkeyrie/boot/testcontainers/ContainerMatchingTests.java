package io.valkeyrie.boot.testcontainers;

import java.util.Map;

import io.valkeyrie.boot.autoconfigure.ValkeyrieConnectionDetails;
import org.junit.jupiter.api.Test;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactories;
import org.springframework.boot.testcontainers.service.connection.TestContainerConnectionSources;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which {@code @ServiceConnection} containers the registered factories recognize, asked as
 * Spring Boot asks them; no container starts (the details read the container only when the
 * store opens).
 */
class ContainerMatchingTests {

	@Test
	void consulContainerIsRecognizedWhateverItsImageIsCalled() {
		String image = "registry.example.com/mirror/consul:1.20";
		ConsulContainer mirror = new ConsulContainer(
				DockerImageName.parse(image).asCompatibleSubstituteFor("hashicorp/consul"));
		assertThat(backendOf(mirror, image, "")).isEqualTo("consul");
	}

	@Test
	void genericContainerIsRecognizedByImageName() {
		assertThat(backendOf("valkey/valkey:8.1", "")).isEqualTo("redis");
		assertThat(backendOf("gcr.io/etcd-development/etcd:v3.5.17", "")).isEqualTo("etcd");
		assertThat(backendOf("bitnami/zookeeper:3.9", "")).isEqualTo("zookeeper");
	}

	@Test
	void serviceConnectionNameRecognizesAnImageUnderAnotherName() {
		assertThat(backendOf("registry.example.com/team/kv:1", "coreos/etcd")).isEqualTo("etcd");
	}

	@Test
	void otherContainersAreNotRecognized() {
		assertThat(connectionDetails(generic("registry.example.com/team/kv:1"), "registry.example.com/team/kv:1", ""))
			.isEmpty();
		assertThat(connectionDetails(generic("postgres:17"), "postgres:17", "")).isEmpty();
	}

	private static String backendOf(String image, String name) {
		return backendOf(generic(image), image, name);
	}

	private static String backendOf(Container<?> container, String image, String name) {
		Map<Class<?>, ?> details = connectionDetails(container, image, name);
		assertThat(details).containsOnlyKeys(ValkeyrieConnectionDetails.class);
		return ((ValkeyrieConnectionDetails) details.get(ValkeyrieConnectionDetails.class)).getBackend();
	}

	private static Map<Class<?>, ?> connectionDetails(Container<?> container, String image, String name) {
		return new ConnectionDetailsFactories(null)
			.getConnectionDetails(TestContainerConnectionSources.of(container, image, name), false);
	}

	private static GenericContainer<?> generic(String image) {
		return new GenericContainer<>(DockerImageName.parse(image));
	}

}
