package io.valkeyrie.store.consul;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.ClusterFailoverTests;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

/**
 * Kill -9 of the leader of the 3-member consul cluster of scripts/clusters under writers.
 */
@ServerUse(shared = {}, exclusive = "consul-cluster")
class ConsulFailoverTest extends ClusterFailoverTests {

	@Override
	protected String backend() {
		return "consul";
	}

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("consul").endpoints(TestClusters.endpoints("consul")).option("lock-delay", "0s");
	}

}
