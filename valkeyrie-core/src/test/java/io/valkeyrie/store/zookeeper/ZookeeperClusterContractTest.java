package io.valkeyrie.store.zookeeper;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

/**
 * The contract suite against the 3-member zookeeper cluster of scripts/clusters, the store given
 * every member.
 */
@ServerUse(shared = "zookeeper-cluster")
class ZookeeperClusterContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("zookeeper").endpoints(TestClusters.endpoints("zookeeper"))
			// A short session keeps the TTL tests short: the minimum TTL is the session timeout.
			.option("session-timeout", "2s");
	}

}
