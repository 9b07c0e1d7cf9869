package io.valkeyrie.boot.lock;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.test.TestServers;

/**
 * Spring Integration's lock-registry cases on the consul backend.
 */
class ConsulSpringIntegrationLockRegistryTests extends SpringIntegrationLockRegistryTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("consul").endpoints(TestServers.endpoint("consul"));
	}

}
