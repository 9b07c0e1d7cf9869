package io.valkeyrie.store.consul;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.spi.AbstractStoreProvider;

/**
 * Opens {@code consul} stores; needs Apache HttpClient 5 and Jackson 3 on the classpath.
 */
public final class ConsulStoreProvider extends AbstractStoreProvider {

	public ConsulStoreProvider() {
		super("consul", "org.apache.httpcomponents.client5:httpclient5 and tools.jackson.core:jackson-databind",
				"org.apache.hc.client5.http.impl.classic.HttpClients", "tools.jackson.databind.json.JsonMapper");
	}

	@Override
	public Store open(StoreConfig config) {
		return ConsulStore.open(config);
	}

}
