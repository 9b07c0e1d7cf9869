package io.valkeyrie.boot.testcontainers;

import io.valkeyrie.boot.docker.BackendImage;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;

import org.springframework.boot.testcontainers.service.connection.ServiceConnection;

/** A {@code redis} container is a store on the redis backend. */
class RedisServiceConnectionTests extends AbstractServiceConnectionTests {

	@Container
	@ServiceConnection
	static final GenericContainer<?> redis = new GenericContainer<>(DockerImages.REDIS).withExposedPorts(6379);

	RedisServiceConnectionTests() {
		super(BackendImage.REDIS);
	}

	@Override
	protected GenericContainer<?> container() {
		return redis;
	}

}
