package io.valkeyrie.store.etcd;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

/**
 * The contract suite against the 3-member etcd cluster of scripts/clusters, the store given
 * every member.
 */
@ServerUse(shared = "etcd-cluster")
class EtcdClusterContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("etcd").endpoints(TestClusters.endpoints("etcd"));
	}

}
