package io.valkeyrie.boot.docker.compose;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.valkeyrie.boot.autoconfigure.ValkeyrieConnectionDetails;
import io.valkeyrie.boot.docker.BackendImage;
import io.valkeyrie.boot.testcontainers.DockerImages;
import io.valkeyrie.boot.testcontainers.DockerTest;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactories;
import org.springframework.boot.docker.compose.core.ConnectionPorts;
import org.springframework.boot.docker.compose.core.ImageReference;
import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.boot.docker.compose.service.connection.TestDockerComposeConnectionSources;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker Compose factories, registered in {@code spring.factories}, turn a running service
 * of each backend's image into connection details that open a working store on it.
 * <p>
 * The services are real containers, described to the factories as Spring Boot's Compose
 * support describes a {@code docker compose ps} entry (image, host, published ports,
 * labels): these machines have no Compose v2 CLI, so Boot's lifecycle around the factories
 * is not part of this test.
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
					new ContainerService(container, container.getDockerImageName(), Map.of()));
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
			ValkeyrieConnectionDetails details = connectionDetails(new ContainerService(redis,
					"registry.example.com/team/cache:1", Map.of("org.springframework.boot.service-connection", "redis")));
			assertThat(details.getBackend()).isEqualTo("redis");
			assertThat(details.getEndpoints()).containsExactly("redis://127.0.0.1:" + redis.getMappedPort(6379));
		}
	}

	@Test
	void serviceOfAnotherImageGetsNoValkeyrieConnectionDetails() {
		RunningService postgres = new ContainerService(null, "postgres:17", Map.of());
		assertThat(new ConnectionDetailsFactories(null)
			.getConnectionDetails(TestDockerComposeConnectionSources.of(postgres), false)).isEmpty();
	}

	private static ValkeyrieConnectionDetails connectionDetails(RunningService service) {
		// Through the registered factories, as Boot does: exactly one of them must answer.
		Map<Class<?>, ?> all = new ConnectionDetailsFactories(null)
			.getConnectionDetails(TestDockerComposeConnectionSources.of(service), true);
		assertThat(all).containsOnlyKeys(ValkeyrieConnectionDetails.class);
		return (ValkeyrieConnectionDetails) all.get(ValkeyrieConnectionDetails.class);
	}

	/** A Compose service as Boot sees it, backed by a running container. */
	private record ContainerService(@Nullable GenericContainer<?> container, String imageName,
			Map<String, String> labels) implements RunningService, ConnectionPorts {

		@Override
		public String name() {
			return "service";
		}

		@Override
		public ImageReference image() {
			return ImageReference.of(this.imageName);
		}

		@Override
		public String host() {
			return "127.0.0.1";
		}

		@Override
		public ConnectionPorts ports() {
			return this;
		}

		@Override
		public Map<String, @Nullable String> env() {
			return Map.of();
		}

		@Override
		public int get(int containerPort) {
			return this.container.getMappedPort(containerPort);
		}

		@Override
		public List<Integer> getAll() {
			return this.container.getExposedPorts().stream().map(this::get).toList();
		}

		@Override
		public List<Integer> getAll(@Nullable String protocol) {
			return getAll();
		}

	}

}
