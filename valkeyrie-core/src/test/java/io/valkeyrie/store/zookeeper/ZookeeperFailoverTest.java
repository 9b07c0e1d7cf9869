package io.valkeyrie.store.zookeeper;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.ClusterFailoverTests;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

/**
 * The fail-over tests on the 3-server ZooKeeper ensemble of scripts/clusters.
 */
// The partition rules of every cluster share one iptables chain: one fail-over class at a time.
@ServerUse(shared = {}, exclusive = { "zookeeper-cluster", "cluster-faults" })
class ZookeeperFailoverTest extends ClusterFailoverTests {

	@Override
	protected String backend() {
		return "zookeeper";
	}

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("zookeeper").endpoints(TestClusters.endpoints("zookeeper")).option("session-timeout", "10s");
	}

}
