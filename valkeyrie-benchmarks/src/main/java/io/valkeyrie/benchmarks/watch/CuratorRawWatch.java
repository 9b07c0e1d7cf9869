package io.valkeyrie.benchmarks.watch;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.Watcher;

import io.valkeyrie.benchmarks.kv.Curators;

/** A ZooKeeper persistent watch (Curator's {@code watchers().add()}) on the node, written with setData. */
final class CuratorRawWatch extends RawWatch {

	private final CuratorFramework client;

	private final String path;

	CuratorRawWatch(String key) {
		this.client = Curators.start();
		this.path = "/bench-watch-raw/" + key;
		try {
			if (this.client.checkExists().forPath(this.path) == null) {
				this.client.create().creatingParentsIfNeeded().forPath(this.path, new byte[0]);
			}
			this.client.watchers().add().withMode(AddWatchMode.PERSISTENT).usingWatcher((Watcher) (event) -> {
				if (event.getType() == Watcher.Event.EventType.NodeDataChanged) {
					arrived();
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
	public void close() {
		this.client.close();
	}

}
