package io.valkeyrie.store.redis;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;

/**
 * The contract suite against the test suite's real Redis.
 */
class RedisContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("redis").endpoints(TestServers.endpoint("redis"));
	}

}
