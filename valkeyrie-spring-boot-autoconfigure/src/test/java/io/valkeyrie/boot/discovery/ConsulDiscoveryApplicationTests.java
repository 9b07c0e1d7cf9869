package io.valkeyrie.boot.discovery;

import java.util.Map;

import io.valkeyrie.store.test.TestServers;

/**
 * Discovery end to end on the Consul test server ({@code scripts/servers}).
 */
class ConsulDiscoveryApplicationTests extends AbstractDiscoveryApplicationTests {

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "consul", "valkeyrie.consul.endpoints", TestServers.endpoint("consul"));
	}

}
