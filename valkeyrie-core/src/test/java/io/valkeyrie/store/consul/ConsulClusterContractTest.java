package io.valkeyrie.store.consul;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

/**
 * The contract suite against the 3-member consul cluster of scripts/clusters, the store given
 * every member.
 */
@ServerUse(shared = "consul-cluster")
class ConsulClusterContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("consul").endpoints(TestClusters.endpoints("consul"))
			// Lock-delay 0s: the suite takes over crashed holders' locks and must not wait 15 s each time.
			.option("lock-delay", "0s");
	}

}
