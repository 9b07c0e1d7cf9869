package io.valkeyrie.store.redis;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.spi.AbstractStoreProvider;

/**
 * Opens {@code redis} stores.
 */
public final class RedisStoreProvider extends AbstractStoreProvider {

	public RedisStoreProvider() {
		super("redis", "org.springframework.data:spring-data-redis and io.lettuce:lettuce-core (in a Spring Boot app: org.springframework.boot:spring-boot-starter-data-redis)",
				"org.springframework.data.redis.connection.RedisConnectionFactory", "io.lettuce.core.RedisClient");
	}

	@Override
	public Store open(StoreConfig config) {
		return RedisStore.open(config);
	}

}
