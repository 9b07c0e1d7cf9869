package io.valkeyrie.store.redis;

import java.time.Duration;
import java.util.List;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.internal.BackendOptions;

import org.jspecify.annotations.Nullable;

/**
 * The redis backend's settings from {@link StoreConfig#options()}; see docs/backends/redis.md.
 *
 * @param keyPrefix the start of every Redis key the store writes
 * @param database the database number, or {@code null} for the endpoint's (default 0)
 * @param sentinelMaster the Sentinel master name; the endpoints are then Sentinel nodes
 * @param cluster whether the endpoints are nodes of a Redis Cluster (also when there is only one;
 * several endpoints without a Sentinel master always are)
 * @param clientName the name the connections show in {@code CLIENT LIST}
 * @param sweepInterval how often due TTL keys are removed and their deletion published
 * @param inlineValueLimit values up to this size travel inside change messages
 * @param minimumTtl the smallest TTL accepted
 * @param historySize about how many recent changes are kept to resume watches (0: none)
 * @param historyAlways whether every change is written to the history, rather than only
 * while a store of the namespace has watches (and for {@code historyLinger} after)
 * @param historyLinger how long the history is still written after the last watch closed
 */
record RedisOptions(String keyPrefix, @Nullable Integer database, @Nullable String sentinelMaster, boolean cluster, String clientName,
		Duration sweepInterval, int inlineValueLimit, Duration minimumTtl, int historySize, boolean historyAlways,
		Duration historyLinger) {

	static final String KEY_PREFIX = "key-prefix";

	static final String DATABASE = "database";

	static final String SENTINEL_MASTER = "sentinel-master";

	static final String CLUSTER = "cluster";

	static final String CLIENT_NAME = "client-name";

	static final String SWEEP_INTERVAL = "sweep-interval";

	static final String INLINE_VALUE_LIMIT = "inline-value-limit";

	static final String MINIMUM_TTL = "minimum-ttl";

	static final String HISTORY_SIZE = "history-size";

	static final String HISTORY = "history";

	static final String HISTORY_LINGER = "history-linger";

	static final String HISTORY_WHILE_WATCHED = "while-watched";

	static final String HISTORY_ALWAYS = "always";

	private static final List<String> KNOWN = List.of(KEY_PREFIX, DATABASE, SENTINEL_MASTER, CLUSTER, CLIENT_NAME, SWEEP_INTERVAL,
			INLINE_VALUE_LIMIT, MINIMUM_TTL, HISTORY_SIZE, HISTORY, HISTORY_LINGER);

	static RedisOptions of(StoreConfig config) {
		BackendOptions options = new BackendOptions(config, "redis", KNOWN);
		String prefix = options.string(KEY_PREFIX, "valkeyrie");
		if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
			throw options.invalid(KEY_PREFIX, "free of '{' and '}' (the namespace is the hash tag)");
		}
		String history = options.string(HISTORY, HISTORY_WHILE_WATCHED);
		if (!history.equals(HISTORY_WHILE_WATCHED) && !history.equals(HISTORY_ALWAYS)) {
			throw options.invalid(HISTORY, "'" + HISTORY_WHILE_WATCHED + "' or '" + HISTORY_ALWAYS + "'");
		}
		String sentinelMaster = options.string(SENTINEL_MASTER);
		boolean cluster = options.bool(CLUSTER, false);
		if (cluster && sentinelMaster != null) {
			throw options.invalid(CLUSTER, "false when option '" + SENTINEL_MASTER + "' is set (Sentinel or Redis Cluster, not both)");
		}
		return new RedisOptions(prefix, options.optionalInt(DATABASE, 0, Integer.MAX_VALUE), sentinelMaster, cluster,
				options.string(CLIENT_NAME, "valkeyrie"), options.duration(SWEEP_INTERVAL, Duration.ofMillis(250)),
				options.intValue(INLINE_VALUE_LIMIT, 65536, 0, Integer.MAX_VALUE),
				options.duration(MINIMUM_TTL, Duration.ofMillis(100)), options.intValue(HISTORY_SIZE, 1000, 0, Integer.MAX_VALUE),
				history.equals(HISTORY_ALWAYS), options.duration(HISTORY_LINGER, Duration.ofMinutes(5), Duration.ofSeconds(1), null));
	}

}
