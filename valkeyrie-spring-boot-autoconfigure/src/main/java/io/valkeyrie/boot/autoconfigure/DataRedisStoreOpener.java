package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.TlsConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails.Cluster;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails.Sentinel;
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

	private final boolean preferred;

	/**
	 * @param details Spring Boot's Redis connection details
	 * @param preferred whether they win over {@code valkeyrie.redis.endpoints} (the
	 * application set {@code spring.data.redis} connection properties); otherwise they are
	 * used only when valkeyrie has no endpoints of its own
	 */
	DataRedisStoreOpener(DataRedisConnectionDetails details, boolean preferred) {
		this.details = details;
		this.preferred = preferred;
	}

	@Override
	public Store open(StoreConfig config) {
		return Stores.open(configFor(config));
	}

	@Override
	public StoreConfig effective(StoreConfig config) {
		try {
			return configFor(config);
		}
		catch (StoreConfigurationException ex) {
			// A master/replica configuration open() refused: report what valkeyrie was given.
			return config;
		}
	}

	@Override
	public boolean appliesTo(StoreConfig config) {
		return "redis".equals(config.backend());
	}

	@Override
	public @Nullable String settings(StoreConfig config) {
		return uses(config) ? "spring.data.redis" : null;
	}

	private boolean uses(StoreConfig config) {
		return "redis".equals(config.backend()) && (this.preferred || config.endpoints().isEmpty());
	}

	/** The configuration to open: with Spring Data Redis's endpoint when it has none. */
	StoreConfig configFor(StoreConfig config) {
		if (!uses(config)) {
			return config;
		}
		SslBundle bundle = this.details.getSslBundle();
		String scheme = (bundle != null) ? "rediss" : "redis";
		StoreConfig.Builder builder = config.toBuilder();
		if (this.details.getMasterReplica() != null) {
			throw new StoreConfigurationException("The redis store does not support a static master/replica setup "
					+ "(spring.data.redis.masterreplica.*): it needs one master it can follow; point valkeyrie.redis.endpoints "
					+ "at a standalone Redis, or use spring.data.redis.sentinel.* or spring.data.redis.cluster.*");
		}
		Standalone standalone = this.details.getStandalone();
		Sentinel sentinel = this.details.getSentinel();
		Cluster cluster = this.details.getCluster();
		if (sentinel != null) {
			builder.endpoints(sentinel.getNodes().stream().map((node) -> scheme + "://" + node.host() + ":" + node.port()).toList())
				.option("sentinel-master", sentinel.getMaster())
				.option("database", String.valueOf(sentinel.getDatabase()));
		}
		else if (cluster != null) {
			builder.endpoints(cluster.getNodes().stream().map((node) -> scheme + "://" + node.host() + ":" + node.port()).toList())
				.option("cluster", "true");
		}
		else if (standalone != null) {
			builder.endpoints(scheme + "://" + standalone.getHost() + ":" + standalone.getPort() + "/"
					+ standalone.getDatabase());
		}
		else {
			throw new StoreConfigurationException("Spring Boot's Redis connection details name no Redis server");
		}
		if (config.username() == null && !config.hasPassword()) {
			builder.credentials(this.details.getUsername(), this.details.getPassword());
		}
		if (config.tls() == null && bundle != null) {
			builder.tls(new TlsConfig(bundle.getManagers().getKeyManagerFactory(),
					bundle.getManagers().getTrustManagerFactory(), true));
		}
		return builder.build();
	}

}
