package io.valkeyrie.boot.config;

import java.util.Map;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.TestServers;

/**
 * Config data on the ZooKeeper test server ({@code scripts/servers}).
 */
class ZookeeperConfigDataApplicationTests extends AbstractConfigDataApplicationTests {

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "zookeeper", "valkeyrie.zookeeper.endpoints", TestServers.endpoint("zookeeper"));
	}

	@Override
	protected Store open(String namespace) {
		return Stores.open(StoreConfig.builder("zookeeper").endpoints(TestServers.endpoint("zookeeper")).namespace(namespace).build());
	}

}
