package io.valkeyrie.boot.metadata;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;

/**
 * The metadata store on the ZooKeeper test server ({@code scripts/servers}).
 */
class ZookeeperValkeyrieMetadataStoreTests extends AbstractValkeyrieMetadataStoreTests {

	@Override
	protected Store open(String namespace) {
		return Stores.open(StoreConfig.builder("zookeeper").endpoints(TestServers.endpoint("zookeeper")).namespace(namespace)
			// Generous: the first connection and call of a JVM on a loaded machine can take seconds.
			.connectTimeout(Timing.seconds(15))
			.requestTimeout(Timing.seconds(15))
			.build());
	}

}
