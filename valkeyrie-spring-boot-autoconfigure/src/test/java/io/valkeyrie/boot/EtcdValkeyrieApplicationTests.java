package io.valkeyrie.boot;

import java.util.Map;

import io.valkeyrie.store.test.TestServers;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application tests against the etcd test server ({@code scripts/servers}).
 */
class EtcdValkeyrieApplicationTests extends AbstractValkeyrieApplicationTests {

	@DynamicPropertySource
	static void backend(DynamicPropertyRegistry registry) {
		registry.add("valkeyrie.backend", () -> "etcd");
		registry.add("valkeyrie.etcd.endpoints", () -> TestServers.endpoint("etcd"));
	}

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "etcd", "valkeyrie.etcd.endpoints", TestServers.endpoint("etcd"));
	}

}
