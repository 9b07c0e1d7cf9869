package io.valkeyrie.store.etcd;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.ClusterFailoverTests;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

/**
 * Kill -9 of the leader of the 3-member etcd cluster of scripts/clusters under writers.
 */
@ServerUse(shared = {}, exclusive = "etcd-cluster")
class EtcdFailoverTest extends ClusterFailoverTests {

	@Override
	protected String backend() {
		return "etcd";
	}

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("etcd").endpoints(TestClusters.endpoints("etcd"));
	}

}
