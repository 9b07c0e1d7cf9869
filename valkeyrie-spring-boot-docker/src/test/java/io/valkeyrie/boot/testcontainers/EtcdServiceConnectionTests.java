package io.valkeyrie.boot.testcontainers;

import io.valkeyrie.boot.docker.BackendImage;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;

import org.springframework.boot.testcontainers.service.connection.ServiceConnection;

/** A {@code quay.io/coreos/etcd} container is a store on the etcd backend. */
class EtcdServiceConnectionTests extends AbstractServiceConnectionTests {

	@Container
	@ServiceConnection
	static final GenericContainer<?> etcd = new GenericContainer<>(DockerImages.ETCD)
		.withCommand("etcd", "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls",
				"http://0.0.0.0:2379")
		.withExposedPorts(2379);

	EtcdServiceConnectionTests() {
		super(BackendImage.ETCD);
	}

	@Override
	protected GenericContainer<?> container() {
		return etcd;
	}

}
