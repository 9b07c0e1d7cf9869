package io.valkeyrie.boot.config;

import java.util.Map;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.TestServers;

/**
 * Config data on the Redis test server ({@code scripts/servers}).
 */
class RedisConfigDataApplicationTests extends AbstractConfigDataApplicationTests {

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "redis", "valkeyrie.redis.endpoints", TestServers.endpoint("redis"));
	}

	@Override
	protected Store open(String namespace) {
		return Stores.open(StoreConfig.builder("redis").endpoints(TestServers.endpoint("redis")).namespace(namespace).build());
	}

}
