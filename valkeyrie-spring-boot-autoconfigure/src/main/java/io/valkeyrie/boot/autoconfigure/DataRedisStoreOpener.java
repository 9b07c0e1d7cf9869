package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.TlsConfig;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails.Standalone;
import org.springframework.boot.ssl.SslBundle;

/**
 * Opens a {@code redis} store that has no endpoints of its own on the Redis the application
 * already configured with {@code spring.data.redis.*}, so there is one Redis
 * configuration, not two.
 * <p>
 * It reads Boot's {@link DataRedisConnectionDetails} (host, port, database, credentials,
 * SSL bundle) and lets the store open its own connections, rather than handing it the
 * application's {@code RedisConnectionFactory} ({@code RedisStore.open(config, factory)}):
 * on a shared factory the store's calls would be bounded by {@code spring.data.redis.timeout}
 * (Lettuce's default is 60 s) instead of {@code valkeyrie.request-timeout}, and its
 * subscription would share the application's connections.
 */
class DataRedisStoreOpener implements ValkeyrieStoreFactory.StoreOpener {

	private final DataRedisConnectionDetails details;

	DataRedisStoreOpener(DataRedisConnectionDetails details) {
		this.details = details;
	}

	@Override
	public Store open(StoreConfig config) {
		return Stores.open(configFor(config));
	}

	@Override
	public StoreConfig effective(StoreConfig config) {
		return configFor(config);
	}

	@Override
	public String settings(StoreConfig config) {
		return ("redis".equals(config.backend()) && config.endpoints().isEmpty()) ? "spring.data.redis"
				: ValkeyrieStoreFactory.StoreOpener.super.settings(config);
	}

	/** The configuration to open: with Spring Data Redis's endpoint when it has none. */
	StoreConfig configFor(StoreConfig config) {
		if (!"redis".equals(config.backend()) || !config.endpoints().isEmpty()) {
			return config;
		}
		Standalone standalone = this.details.getStandalone();
		if (standalone == null) {
			throw new StoreConfigurationException("The redis backend cannot reuse a Sentinel, Cluster or "
					+ "master/replica spring.data.redis configuration yet; set valkeyrie.redis.endpoints");
		}
		SslBundle bundle = this.details.getSslBundle();
		String scheme = (bundle != null) ? "rediss" : "redis";
		StoreConfig.Builder builder = config.toBuilder()
			.endpoint(scheme + "://" + standalone.getHost() + ":" + standalone.getPort() + "/" + standalone.getDatabase());
		if (config.username() == null && config.password() == null) {
			builder.credentials(this.details.getUsername(), this.details.getPassword());
		}
		if (config.tls() == null && bundle != null) {
			builder.tls(new TlsConfig(bundle.getManagers().getKeyManagerFactory(),
					bundle.getManagers().getTrustManagerFactory(), true));
		}
		return builder.build();
	}

}
