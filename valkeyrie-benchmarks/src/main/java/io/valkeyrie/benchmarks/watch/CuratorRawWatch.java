package io.valkeyrie.benchmarks.watch;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.Watcher;

import io.valkeyrie.benchmarks.kv.Curators;

/**
 * A ZooKeeper persistent watch (Curator's {@code watchers().add()}) on the node, written with
 * setData; the fair variant reads the node (an asynchronous getData) on each notification
 * and counts the arrival when the value is back.
 */
final class CuratorRawWatch extends RawWatch {

	private final CuratorFramework client;

	private final String root;

	private final String path;

	CuratorRawWatch(String root, String key, boolean fair) {
		this.client = Curators.start();
		this.root = "/" + root + "/";
		this.path = this.root + key;
		try {
			if (this.client.checkExists().forPath(this.path) == null) {
				this.client.create().creatingParentsIfNeeded().forPath(this.path, new byte[0]);
			}
			this.client.watchers().add().withMode(AddWatchMode.PERSISTENT).usingWatcher((Watcher) (event) -> {
				if (event.getType() != Watcher.Event.EventType.NodeDataChanged) {
					return;
				}
				if (!fair) {
					arrived();
					return;
				}
				try {
					this.client.getData().inBackground((client, read) -> arrived()).forPath(event.getPath());
				}
				catch (Exception ex) {
					// A failed read is a missed arrival: the harness reports it as a timeout.
				}
			}).forPath(this.path);
		}
		catch (Exception ex) {
			this.client.close();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	void put(byte[] value) throws Exception {
		this.client.setData().forPath(this.path, value);
	}

	@Override
	void load(int n, byte[] value) throws Exception {
		String node = this.root + loadKey(n);
		try {
			this.client.setData().forPath(node, value);
		}
		catch (org.apache.zookeeper.KeeperException.NoNodeException ex) {
			this.client.create().orSetData().creatingParentsIfNeeded().forPath(node, value);
		}
	}

	@Override
	public void close() {
		this.client.close();
	}

}
