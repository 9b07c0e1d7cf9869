package io.valkeyrie.boot.metadata;

import java.util.UUID;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;

/**
 * The metadata store on the local backend: two stores on one in-memory database.
 */
class LocalValkeyrieMetadataStoreTests extends AbstractValkeyrieMetadataStoreTests {

	private final String database = "metadata-" + UUID.randomUUID();

	@Override
	protected Store open(String namespace) {
		return Stores.open(StoreConfig.builder("local").option("name", this.database).namespace(namespace).build());
	}

}
