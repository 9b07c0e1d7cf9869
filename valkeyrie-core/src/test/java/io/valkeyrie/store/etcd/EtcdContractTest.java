package io.valkeyrie.store.etcd;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;

/**
 * The contract suite against the test etcd server.
 */
class EtcdContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("etcd").endpoints(TestServers.endpoint("etcd"));
	}

}
