package io.valkeyrie.benchmarks.kv;

import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

import io.valkeyrie.benchmarks.BenchServers;

/** The raw Curator client every ZooKeeper baseline uses. */
public final class Curators {

	private Curators() {
	}

	/** A started Curator client on the benchmark ZooKeeper, connected. */
	public static CuratorFramework start() {
		CuratorFramework client = CuratorFrameworkFactory.builder()
			.connectString(BenchServers.endpoint("zookeeper"))
			.sessionTimeoutMs(30_000)
			.connectionTimeoutMs(10_000)
			.retryPolicy(new ExponentialBackoffRetry(100, 5))
			.build();
		client.start();
		try {
			if (!client.blockUntilConnected(20, TimeUnit.SECONDS)) {
				client.close();
				throw new IllegalStateException("ZooKeeper at " + BenchServers.endpoint("zookeeper") + " did not answer");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			client.close();
			throw new IllegalStateException(ex);
		}
		return client;
	}

}
