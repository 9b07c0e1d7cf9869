package io.valkeyrie.store.etcd;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.ClusterFailoverTests;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

/**
 * The fail-over tests on the 3-member etcd cluster of scripts/clusters.
 */
// The partition rules of every cluster share one iptables chain: one fail-over class at a time.
@ServerUse(shared = {}, exclusive = { "etcd-cluster", "cluster-faults" })
class EtcdFailoverTest extends ClusterFailoverTests {

	@Override
	protected String backend() {
		return "etcd";
	}

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("etcd").endpoints(TestClusters.endpoints("etcd"));
	}

	/**
	 * A put that timed out while the leader was cut off was seen applied after the heal, over
	 * writes acknowledged since (docs/compatibility.md).
	 */
	@Override
	protected boolean failedWritesMayApplyLate() {
		return true;
	}

}
