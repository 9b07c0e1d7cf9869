package io.valkeyrie.boot.test;

import java.net.ConnectException;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.spi.AbstractStoreProvider;

/**
 * A backend whose servers can never be reached, for the failure analysis of a backend that
 * is down at startup without depending on a stopped real server.
 */
public final class UnreachableStoreProvider extends AbstractStoreProvider {

	public UnreachableStoreProvider() {
		super("unreachable", "none");
	}

	@Override
	public Store open(StoreConfig config) {
		throw new StoreUnavailableException("unreachable", "no server answered within " + BackendOptions.format(config.connectTimeout()),
				new ConnectException("Connection refused"));
	}

}
