package io.valkeyrie.boot.lock;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.test.TestServers;

/**
 * Spring Integration's lock-registry cases on the etcd backend.
 */
class EtcdSpringIntegrationLockRegistryTests extends SpringIntegrationLockRegistryTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("etcd").endpoints(TestServers.endpoint("etcd"));
	}

}
