package io.valkeyrie.store.zookeeper;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.spi.AbstractStoreProvider;

/**
 * Opens {@code zookeeper} stores.
 */
public final class ZookeeperStoreProvider extends AbstractStoreProvider {

	public ZookeeperStoreProvider() {
		super("zookeeper", "org.apache.curator:curator-recipes", "org.apache.curator.framework.CuratorFramework",
				"org.apache.zookeeper.ZooKeeper");
	}

	@Override
	public Store open(StoreConfig config) {
		return ZookeeperStore.open(config);
	}

}
