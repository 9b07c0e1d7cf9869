package io.valkeyrie.boot.testcontainers;

import io.valkeyrie.boot.docker.BackendImage;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;

import org.springframework.boot.testcontainers.service.connection.ServiceConnection;

/** Testcontainers' {@code ConsulContainer} is a store on the consul backend. */
class ConsulServiceConnectionTests extends AbstractServiceConnectionTests {

	@Container
	@ServiceConnection
	static final ConsulContainer consul = new ConsulContainer(DockerImages.CONSUL);

	ConsulServiceConnectionTests() {
		super(BackendImage.CONSUL);
	}

	@Override
	protected GenericContainer<?> container() {
		return consul;
	}

}
