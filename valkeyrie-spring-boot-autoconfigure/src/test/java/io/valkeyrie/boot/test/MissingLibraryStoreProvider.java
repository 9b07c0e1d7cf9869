package io.valkeyrie.boot.test;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.spi.AbstractStoreProvider;

/**
 * A backend whose client library is never on the classpath, for the failure analysis of a
 * missing library (the real backends' libraries are all on the test classpath).
 */
public final class MissingLibraryStoreProvider extends AbstractStoreProvider {

	public MissingLibraryStoreProvider() {
		super("missing-library", "com.example:no-such-client", "com.example.NoSuchClient");
	}

	@Override
	public Store open(StoreConfig config) {
		throw new AssertionError("Must not be opened: its library is missing");
	}

}
