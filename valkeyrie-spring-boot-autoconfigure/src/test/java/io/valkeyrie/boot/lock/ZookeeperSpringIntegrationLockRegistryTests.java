package io.valkeyrie.boot.lock;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.test.TestServers;

/**
 * Spring Integration's lock-registry cases on the zookeeper backend.
 */
class ZookeeperSpringIntegrationLockRegistryTests extends SpringIntegrationLockRegistryTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("zookeeper").endpoints(TestServers.endpoint("zookeeper"));
	}

}
