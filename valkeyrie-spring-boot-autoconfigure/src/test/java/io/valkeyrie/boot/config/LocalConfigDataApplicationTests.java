package io.valkeyrie.boot.config;

import java.util.Map;
import java.util.UUID;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;

/**
 * Config data on the local backend: an in-memory database shared by name within this JVM.
 */
class LocalConfigDataApplicationTests extends AbstractConfigDataApplicationTests {

	private final String database = "config-" + UUID.randomUUID();

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "local", "valkeyrie.local.name", this.database);
	}

	@Override
	protected Store open(String namespace) {
		return Stores.open(StoreConfig.builder("local").option("name", this.database).namespace(namespace).build());
	}

}
