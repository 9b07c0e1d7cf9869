package io.valkeyrie.store.consul;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;

/**
 * The contract suite against the harness's real Consul agent.
 */
class ConsulContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		// Lock-delay 0s: the suite takes over crashed holders' locks and must not wait 15 s each time.
		return StoreConfig.builder("consul").endpoints(TestServers.endpoint("consul")).option("lock-delay", "0s");
	}

}
