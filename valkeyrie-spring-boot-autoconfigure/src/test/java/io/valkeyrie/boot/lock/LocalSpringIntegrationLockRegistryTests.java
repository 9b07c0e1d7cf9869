package io.valkeyrie.boot.lock;

import java.util.UUID;

import io.valkeyrie.store.StoreConfig;

/**
 * Spring Integration's lock-registry cases on the local backend: both stores of a test
 * share one named in-memory database, as two processes share a server.
 */
class LocalSpringIntegrationLockRegistryTests extends SpringIntegrationLockRegistryTests {

	private final String database = "si-locks-" + UUID.randomUUID();

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("local").option("name", this.database);
	}

}
