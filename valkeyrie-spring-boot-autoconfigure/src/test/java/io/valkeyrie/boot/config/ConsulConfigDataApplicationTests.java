package io.valkeyrie.boot.config;

import java.util.Map;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.TestServers;

/**
 * Config data on the Consul test server ({@code scripts/servers}).
 */
class ConsulConfigDataApplicationTests extends AbstractConfigDataApplicationTests {

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "consul", "valkeyrie.consul.endpoints", TestServers.endpoint("consul"));
	}

	@Override
	protected Store open(String namespace) {
		return Stores.open(StoreConfig.builder("consul").endpoints(TestServers.endpoint("consul")).namespace(namespace).build());
	}

}
