package io.valkeyrie.boot.config;

import java.util.Map;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.TestServers;

/**
 * Config data on the etcd test server ({@code scripts/servers}).
 */
class EtcdConfigDataApplicationTests extends AbstractConfigDataApplicationTests {

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "etcd", "valkeyrie.etcd.endpoints", TestServers.endpoint("etcd"));
	}

	@Override
	protected Store open(String namespace) {
		return Stores.open(StoreConfig.builder("etcd").endpoints(TestServers.endpoint("etcd")).namespace(namespace).build());
	}

}
