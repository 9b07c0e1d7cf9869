package io.valkeyrie.boot;

import java.util.Map;

import io.valkeyrie.store.test.TestServers;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application tests against the redis test server ({@code scripts/servers}). The
 * store has no {@code valkeyrie.redis.endpoints}: it uses the Redis the application
 * configured with {@code spring.data.redis.url}, one Redis configuration for both.
 */
class RedisValkeyrieApplicationTests extends AbstractValkeyrieApplicationTests {

	@DynamicPropertySource
	static void backend(DynamicPropertyRegistry registry) {
		registry.add("valkeyrie.backend", () -> "redis");
		registry.add("spring.data.redis.url", () -> TestServers.endpoint("redis"));
	}

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "redis", "valkeyrie.redis.endpoints", TestServers.endpoint("redis"));
	}

}
