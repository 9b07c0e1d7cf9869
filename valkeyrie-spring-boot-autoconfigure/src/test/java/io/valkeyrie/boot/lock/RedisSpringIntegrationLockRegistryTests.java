package io.valkeyrie.boot.lock;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.test.TestServers;

/**
 * Spring Integration's lock-registry cases on the redis backend.
 */
class RedisSpringIntegrationLockRegistryTests extends SpringIntegrationLockRegistryTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("redis").endpoints(TestServers.endpoint("redis"));
	}

}
