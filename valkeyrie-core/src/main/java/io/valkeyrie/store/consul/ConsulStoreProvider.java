package io.valkeyrie.store.consul;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.spi.AbstractStoreProvider;

/**
 * Opens {@code consul} stores.
 */
public final class ConsulStoreProvider extends AbstractStoreProvider {

	public ConsulStoreProvider() {
		super("consul", "TODO", "TODO");
	}

	@Override
	public Store open(StoreConfig config) {
		throw new StoreConfigurationException("The consul backend is not implemented yet");
	}

}
