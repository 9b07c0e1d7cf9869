package io.valkeyrie.store.etcd;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestClusters;

/**
 * The contract suite against the 3-member etcd cluster of scripts/clusters, the store given
 * every member.
 */
class EtcdClusterContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("etcd").endpoints(TestClusters.endpoints("etcd"));
	}

}
