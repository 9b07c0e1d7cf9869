package io.valkeyrie.boot;

import java.util.Map;

import io.valkeyrie.store.test.TestServers;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application tests against the zookeeper test server ({@code scripts/servers}).
 */
class ZookeeperValkeyrieApplicationTests extends AbstractValkeyrieApplicationTests {

	@DynamicPropertySource
	static void backend(DynamicPropertyRegistry registry) {
		registry.add("valkeyrie.backend", () -> "zookeeper");
		registry.add("valkeyrie.zookeeper.endpoints", () -> TestServers.endpoint("zookeeper"));
	}

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "zookeeper", "valkeyrie.zookeeper.endpoints", TestServers.endpoint("zookeeper"));
	}

}
