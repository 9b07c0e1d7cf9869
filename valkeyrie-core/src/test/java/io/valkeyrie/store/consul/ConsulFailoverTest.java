package io.valkeyrie.store.consul;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.ClusterFailoverTests;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

/**
 * The fail-over tests on the 3-server Consul cluster of scripts/clusters.
 */
// The partition rules of every cluster share one iptables chain: one fail-over class at a time.
@ServerUse(shared = {}, exclusive = { "consul-cluster", "cluster-faults" })
class ConsulFailoverTest extends ClusterFailoverTests {

	@Override
	protected String backend() {
		return "consul";
	}

	@Override
	protected StoreConfig.Builder storeConfig() {
		// A watch's blocking query on an agent that stops answering ends only after its wait (default
		// 60 s) plus the request timeout: 10 s keeps the cut test within its bounds.
		return StoreConfig.builder("consul").endpoints(TestClusters.endpoints("consul")).option("lock-delay", "0s")
			.option("watch-wait", "10s");
	}

	/**
	 * Each HTTP request of a call has its own timeout (pool lease, connect and response apart), and
	 * a call may send several: seen up to 4.9 × the timeout while the cluster restarted
	 * (docs/compatibility.md). The bound here only shows that no call hangs.
	 */
	@Override
	protected int timeoutsPerCall() {
		return 6;
	}

	/** A dropped keep-alive session takes its keys; the next keep-alive write starts a new one (docs/compatibility.md). */
	@Override
	protected boolean rewritesKeepAliveKeysOfALostSession() {
		return false;
	}

	/**
	 * A put that timed out while the leader was cut off was seen applied after the heal, over a
	 * write acknowledged since, as on etcd (docs/compatibility.md).
	 */
	@Override
	protected boolean failedWritesMayApplyLate() {
		return true;
	}

}
