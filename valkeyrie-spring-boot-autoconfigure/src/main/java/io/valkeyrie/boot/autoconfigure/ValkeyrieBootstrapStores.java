package io.valkeyrie.boot.autoconfigure;

import java.util.List;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.Stores;

/**
 * Opens a store from {@code valkeyrie.*} properties alone, before any application context
 * exists (for {@code spring.config.import=valkeyrie:}): the same settings and checks as the
 * {@link Store} bean, without SSL bundles, connection details beans or customizers.
 */
public final class ValkeyrieBootstrapStores {

	private ValkeyrieBootstrapStores() {
	}

	/**
	 * Open a store.
	 * @param properties the bound {@code valkeyrie.*} properties
	 * @return the open store; the caller closes it
	 * @throws StoreStartupException if the store cannot open (its kind says whether the server
	 * is unreachable, refused the credentials or the configuration)
	 */
	public static Store open(ValkeyrieProperties properties) {
		ValkeyrieStoreFactory factory = new ValkeyrieStoreFactory(properties,
				new PropertiesValkeyrieConnectionDetails(properties, null), List.of());
		return factory.open(factory.config(), Stores::open);
	}

}
