package io.valkeyrie.boot.docker.compose;

import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.valkeyrie.boot.autoconfigure.ValkeyrieConnectionDetails;
import io.valkeyrie.boot.docker.BackendImage;
import io.valkeyrie.boot.docker.TestRunningService;
import io.valkeyrie.boot.testcontainers.DockerImages;
import io.valkeyrie.boot.testcontainers.DockerTest;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker Compose factories, registered in {@code spring.factories}, turn a running service
 * of each backend's image into connection details that open a working store on it.
 * <p>
 * The services are real containers, described to the factories as Spring Boot's Compose
 * support describes a {@code docker compose ps} entry (image, host, published ports,
 * labels), for every backend; the {@code DockerCompose*Tests} run Boot's whole lifecycle from
 * a {@code compose.yaml}.
 */
@DockerTest
class ValkeyrieDockerComposeConnectionDetailsFactoryTests {

	static Stream<Arguments> services() {
		return Stream.of(
				Arguments.of(BackendImage.REDIS, new GenericContainer<>(DockerImages.REDIS).withExposedPorts(6379)),
				Arguments.of(BackendImage.ETCD,
						new GenericContainer<>(DockerImages.ETCD_GCR)
							.withEnv("ETCD_LISTEN_CLIENT_URLS", "http://0.0.0.0:2379")
							.withEnv("ETCD_ADVERTISE_CLIENT_URLS", "http://0.0.0.0:2379")
							.withExposedPorts(2379)),
				Arguments.of(BackendImage.CONSUL, new ConsulContainer(DockerImages.CONSUL)),
				Arguments.of(BackendImage.ZOOKEEPER,
						new GenericContainer<>(DockerImages.ZOOKEEPER).withExposedPorts(2181)
							.waitingFor(Wait.forLogMessage(".*binding to port.*\\n", 1))));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("services")
	void serviceOfTheBackendsImageOpensAWorkingStore(BackendImage image, GenericContainer<?> container) {
		try (container) {
			container.start();
			ValkeyrieConnectionDetails details = connectionDetails(
					service(container.getDockerImageName(), Map.of(), container));
			assertThat(details.getBackend()).isEqualTo(image.backend());
			assertThat(details.getEndpoints())
				.containsExactly(image.endpoint(container.getHost(), container.getMappedPort(image.port()), false));
			try (Store store = Stores.open(StoreConfig.builder(details.getBackend())
				.endpoints(details.getEndpoints())
				.namespace("compose-" + UUID.randomUUID())
				.build())) {
				store.put("from/compose", "yes");
				assertThat(store.get("from/compose").valueAsString()).isEqualTo("yes");
			}
		}
	}

	@Test
	void serviceConnectionLabelNamesTheBackendOfAnImageWithAnotherName() {
		try (GenericContainer<?> redis = new GenericContainer<>(DockerImages.REDIS).withExposedPorts(6379)) {
			redis.start();
			ValkeyrieConnectionDetails details = connectionDetails(service("registry.example.com/team/cache:1",
					Map.of("org.springframework.boot.service-connection", "redis"), redis));
			assertThat(details.getBackend()).isEqualTo("redis");
			assertThat(details.getEndpoints()).containsExactly("redis://127.0.0.1:" + redis.getMappedPort(6379));
		}
	}

	private static ValkeyrieConnectionDetails connectionDetails(TestRunningService service) {
		// Through the registered factories, as Boot does: exactly one of them must answer.
		Map<Class<?>, ?> all = TestRunningService.connectionDetails(service);
		assertThat(all).containsOnlyKeys(ValkeyrieConnectionDetails.class);
		return (ValkeyrieConnectionDetails) all.get(ValkeyrieConnectionDetails.class);
	}

	private static TestRunningService service(String image, Map<String, String> labels, GenericContainer<?> container) {
		return new TestRunningService(image, labels, container::getMappedPort);
	}

}
