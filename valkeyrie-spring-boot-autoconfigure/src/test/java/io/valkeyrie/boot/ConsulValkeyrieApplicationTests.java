package io.valkeyrie.boot;

import java.util.Map;

import io.valkeyrie.store.test.TestServers;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application tests against the consul test server ({@code scripts/servers}).
 */
class ConsulValkeyrieApplicationTests extends AbstractValkeyrieApplicationTests {

	@DynamicPropertySource
	static void backend(DynamicPropertyRegistry registry) {
		registry.add("valkeyrie.backend", () -> "consul");
		registry.add("valkeyrie.consul.endpoints", () -> TestServers.endpoint("consul"));
	}

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "consul", "valkeyrie.consul.endpoints", TestServers.endpoint("consul"));
	}

}
