package io.valkeyrie.boot.docker.compose;

import io.valkeyrie.boot.docker.BackendImage;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A {@code compose.yaml} with a {@code redis} service is a store on the Redis backend. */
class DockerComposeRedisTests extends AbstractDockerComposeTests {

	DockerComposeRedisTests() {
		super(BackendImage.REDIS);
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		compose(registry, BackendImage.REDIS);
	}

}
