package io.valkeyrie.boot.testcontainers;

import io.valkeyrie.boot.autoconfigure.ValkeyrieConnectionDetails;
import io.valkeyrie.store.Store;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection details of a {@code @ServiceConnection} container win over the
 * {@code valkeyrie.*} backend and endpoint properties, as Spring Boot's own do; the other
 * properties still apply. The container is Bitnami's etcd image, which serves clients
 * without being told to.
 */
@SpringBootTest(classes = ServiceConnectionTestApplication.class,
		properties = { "valkeyrie.backend=zookeeper", "valkeyrie.zookeeper.endpoints=127.0.0.1:9",
				"valkeyrie.etcd.endpoints=http://127.0.0.1:9", "valkeyrie.namespace=overridden" })
@DockerTest
@DirtiesContext
class ServiceConnectionOverridesPropertiesTests {

	@Container
	@ServiceConnection
	static final GenericContainer<?> etcd = new GenericContainer<>(DockerImages.ETCD_BITNAMI).withExposedPorts(2379);

	@Autowired
	private Store store;

	@Autowired
	private ValkeyrieConnectionDetails connectionDetails;

	@Test
	void containerReplacesBackendAndEndpoints() {
		String endpoint = "http://" + etcd.getHost() + ":" + etcd.getMappedPort(2379);
		assertThat(this.connectionDetails.getBackend()).isEqualTo("etcd");
		assertThat(this.connectionDetails.getEndpoints()).containsExactly(endpoint);
		assertThat(this.store.backend()).isEqualTo("etcd");
		assertThat(this.store.endpoints()).containsExactly(endpoint);
	}

	@Test
	void otherPropertiesStillApply() {
		assertThat(this.store.namespace()).isEqualTo("overridden");
		this.store.put("override/key", "value");
		assertThat(this.store.get("override/key").valueAsString()).isEqualTo("value");
	}

}
