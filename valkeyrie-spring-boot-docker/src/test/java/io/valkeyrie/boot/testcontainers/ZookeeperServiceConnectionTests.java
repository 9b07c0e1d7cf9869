package io.valkeyrie.boot.testcontainers;

import io.valkeyrie.boot.docker.BackendImage;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;

import org.springframework.boot.testcontainers.service.connection.ServiceConnection;

/** A {@code zookeeper} container is a store on the zookeeper backend. */
class ZookeeperServiceConnectionTests extends AbstractServiceConnectionTests {

	@Container
	@ServiceConnection
	static final GenericContainer<?> zookeeper = new GenericContainer<>(DockerImages.ZOOKEEPER)
		.withExposedPorts(2181)
		.waitingFor(Wait.forLogMessage(".*binding to port.*\\n", 1));

	ZookeeperServiceConnectionTests() {
		super(BackendImage.ZOOKEEPER);
	}

	@Override
	protected GenericContainer<?> container() {
		return zookeeper;
	}

}
