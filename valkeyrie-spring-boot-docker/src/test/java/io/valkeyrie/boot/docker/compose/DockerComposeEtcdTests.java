package io.valkeyrie.boot.docker.compose;

import io.valkeyrie.boot.docker.BackendImage;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A {@code compose.yaml} with a {@code quay.io/coreos/etcd} service is a store on the etcd backend. */
class DockerComposeEtcdTests extends AbstractDockerComposeTests {

	DockerComposeEtcdTests() {
		super(BackendImage.ETCD);
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		compose(registry, BackendImage.ETCD);
	}

}
