package io.valkeyrie.benchmarks.kv;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Raw Curator: getData with its Stat, setData, setData with the expected version, and for
 * a list getChildren followed by pipelined (background) getData and getChildren of every
 * child, which is what listing "every key below, at any depth" costs on ZooKeeper.
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
			String parent = path(dir);
			List<String> children = this.client.getChildren().forPath(parent);
			CountDownLatch done = new CountDownLatch(children.size() * 2);
			AtomicInteger values = new AtomicInteger();
			BackgroundCallback data = (client, event) -> {
				if (event.getData() != null) {
					values.incrementAndGet();
				}
				done.countDown();
			};
			BackgroundCallback grandChildren = (client, event) -> done.countDown();
			for (String child : children) {
				this.client.getData().inBackground(data).forPath(parent + "/" + child);
				this.client.getChildren().inBackground(grandChildren).forPath(parent + "/" + child);
			}
			if (!done.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("list timed out");
			}
			return values.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.client.close();
	}

}
