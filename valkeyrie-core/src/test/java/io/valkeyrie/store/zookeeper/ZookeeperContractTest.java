package io.valkeyrie.store.zookeeper;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;

/**
 * The contract suite against the real ZooKeeper of the test harness.
 */
class ZookeeperContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		// A short session keeps the TTL tests short: the minimum TTL is the session timeout.
		return StoreConfig.builder("zookeeper").endpoints(TestServers.endpoint("zookeeper")).option("session-timeout", "2s");
	}

}
