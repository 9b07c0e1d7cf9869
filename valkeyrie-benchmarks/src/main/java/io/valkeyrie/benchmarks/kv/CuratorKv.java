package io.valkeyrie.benchmarks.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Raw Curator: getData with its Stat, setData, setData with the expected version, and for
 * a list getChildren followed by pipelined (asynchronous) getData and getChildren of every
 * child, which is what listing "every key below, at any depth" costs on ZooKeeper. Reads
 * are preceded by a pipelined {@code sync} (sent without waiting; the server answers in
 * order), because the store's default read is linearizable and a plain ZooKeeper read may
 * be stale.
 */
final class CuratorKv implements Kv {

	private final CuratorFramework client;

	private final String root;

	CuratorKv(String namespace) {
		this.client = Curators.start();
		this.root = "/" + namespace;
	}

	private String path(String key) {
		return this.root + "/" + key;
	}

	@Override
	public Object get(String key) {
		try {
			sync(path(key));
			Stat stat = new Stat();
			// The Stat is read too: the store returns the version with the value.
			this.client.getData().storingStatIn(stat).forPath(path(key));
			return stat;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void put(String key, byte[] value) {
		try {
			this.client.setData().forPath(path(key), value);
		}
		catch (KeeperException.NoNodeException ex) {
			create(key, value);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public Object create(String key, byte[] value) {
		try {
			if (this.client.checkExists().forPath(path(key)) == null) {
				this.client.create().creatingParentsIfNeeded().forPath(path(key), value);
			}
			return this.client.setData().forPath(path(key), value).getVersion();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public Object atomicPut(String key, byte[] value, Object previous) {
		try {
			return this.client.setData().withVersion((Integer) previous).forPath(path(key), value).getVersion();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public int list(String dir) {
		try {
			// The ZooKeeper handle's asynchronous calls pipeline every read on the connection
			// (Curator's inBackground() adds a hop through its own machinery per call).
			ZooKeeper zk = this.client.getZookeeperClient().getZooKeeper();
			String parent = path(dir);
			sync(parent);
			List<String> children = this.client.getChildren().forPath(parent);
			CountDownLatch done = new CountDownLatch(children.size() * 2);
			Queue<Map.Entry<String, byte[]>> values = new ConcurrentLinkedQueue<>();
			for (String child : children) {
				String path = parent + "/" + child;
				zk.getData(path, false, (rc, p, context, data, stat) -> {
					if (rc == KeeperException.Code.OK.intValue()) {
						values.add(Map.entry(dir + "/" + child, data));
					}
					done.countDown();
				}, null);
				zk.getChildren(path, false, (rc, p, context, grandChildren) -> done.countDown(), null);
			}
			if (!done.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("list timed out");
			}
			// Sorted by key, as the store returns a listing (ZooKeeper returns children unordered).
			List<Map.Entry<String, byte[]>> pairs = new ArrayList<>(values);
			pairs.sort(Map.Entry.comparingByKey());
			return pairs.size();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void sync(String path) throws Exception {
		this.client.getZookeeperClient().getZooKeeper().sync(path, (rc, p, context) -> {
			// Only the ordering matters: the read sent next is answered after the sync.
		}, null);
	}

	@Override
	public void close() {
		this.client.close();
	}

}
