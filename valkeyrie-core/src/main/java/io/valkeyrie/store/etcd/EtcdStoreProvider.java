package io.valkeyrie.store.etcd;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.spi.AbstractStoreProvider;

/**
 * Opens {@code etcd} stores.
 */
public final class EtcdStoreProvider extends AbstractStoreProvider {

	public EtcdStoreProvider() {
		super("etcd", "io.etcd:jetcd-core", "io.etcd.jetcd.Client");
	}

	@Override
	public Store open(StoreConfig config) {
		return EtcdStore.open(config);
	}

}
