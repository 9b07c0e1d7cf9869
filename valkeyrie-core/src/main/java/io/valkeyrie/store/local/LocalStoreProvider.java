package io.valkeyrie.store.local;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.spi.AbstractStoreProvider;

/**
 * Opens {@code local} stores (H2 MVStore).
 */
public final class LocalStoreProvider extends AbstractStoreProvider {

	public LocalStoreProvider() {
		super("local", "com.h2database:h2-mvstore", "org.h2.mvstore.MVStore");
	}

	@Override
	public Store open(StoreConfig config) {
		return LocalStore.open(config);
	}

}
