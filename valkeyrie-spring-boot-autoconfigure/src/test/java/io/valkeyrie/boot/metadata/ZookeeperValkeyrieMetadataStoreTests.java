package io.valkeyrie.boot.metadata;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.TestServers;

/**
 * The metadata store on the ZooKeeper test server ({@code scripts/servers}).
 */
class ZookeeperValkeyrieMetadataStoreTests extends AbstractValkeyrieMetadataStoreTests {

	@Override
	protected Store open(String namespace) {
		return Stores.open(StoreConfig.builder("zookeeper").endpoints(TestServers.endpoint("zookeeper")).namespace(namespace).build());
	}

}
