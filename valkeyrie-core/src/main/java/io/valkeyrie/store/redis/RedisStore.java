package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.DefaultClientResources;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.AbstractStore;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import org.jspecify.annotations.Nullable;

/**
 * A {@link io.valkeyrie.store.Store} on Redis 6.0 or later, or Valkey (standalone or Sentinel),
 * through Spring Data Redis and Lettuce.
 * <p>
 * Every write is one Lua script that also maintains a sorted-set index of the namespace's
 * keys (so {@code list} and {@code deleteTree} cost what their answer costs), a counter for
 * {@code lastIndex}, an expiry index, and publishes the change on the namespace's channel.
 * One subscription per store feeds every watch and wakes lock waiters; it needs no keyspace
 * notifications. The layout is described in {@code docs/backends/redis.md}.
 * <p>
 * Open one with {@link #open(StoreConfig)}, or hand over the application's
 * {@link RedisConnectionFactory} with {@link #open(StoreConfig, RedisConnectionFactory)}.
 * Thread-safe.
 */
public final class RedisStore extends AbstractStore {

	/** The expected lastIndex of an unconditional write. */
	private static final byte[] ANY = { '-' };

	private static final AtomicInteger IDS = new AtomicInteger();

	private final RedisOptions options;

	private final RedisConnections connections;

	private final RedisLayout layout;

	private final RedisAccess access;

	private final ScheduledThreadPoolExecutor io;

	private final RedisLockWaiters waiters = new RedisLockWaiters();

	private final RedisTtlKeeper ttlKeeper;

	private final RedisChangeFeed feed;

	private final @Nullable RedisHistoryRegistration historyRegistration;

	private RedisStore(StoreConfig config, RedisOptions options, RedisConnections connections) {
		super("redis", config);
		this.options = options;
		this.connections = connections;
		this.layout = new RedisLayout(options.keyPrefix(), config.namespace(), options.inlineValueLimit(),
				options.historySize(), options.historyAlways());
		this.access = new RedisAccess(connections.factory());
		connections.reportTo(reachability());
		int id = IDS.incrementAndGet();
		this.io = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "valkeyrie-redis-" + id + "-io");
			thread.setDaemon(true);
			return thread;
		});
		this.io.setRemoveOnCancelPolicy(true);
		this.io.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		this.ttlKeeper = new RedisTtlKeeper(this.access, this.layout, this.io);
		this.feed = new RedisChangeFeed(this.access, this.layout, hub(), this.waiters, "valkeyrie-redis-" + id + "-feed", this.io,
				config.connectTimeout().plus(config.requestTimeout()), connections.clusterEvents());
		this.historyRegistration = (options.historySize() > 0 && !options.historyAlways())
				? new RedisHistoryRegistration(this.access, this.layout, options.historyLinger(), hub()::hasWatches) : null;
		// A closing store wakes its lock waiters, which then find it closed.
		onClose(this.waiters::wakeAll);
		// First thing on close, before held locks are released: a frozen server must not keep
		// callers waiting for answers meanwhile.
		onClose(this.access::endInFlight);
	}

	/**
	 * Open a store with its own connections, built from {@code config}: one endpoint
	 * ({@code redis://[user:password@]host:port[/database]}, {@code rediss://...} for TLS, or
	 * {@code host:port}), or Sentinel nodes with the {@code sentinelMaster} option.
	 * @param config the configuration
	 * @return the open store
	 * @throws io.valkeyrie.store.StoreConfigurationException if the configuration is invalid
	 * @throws io.valkeyrie.store.StoreUnavailableException if Redis cannot be reached
	 */
	public static RedisStore open(StoreConfig config) {
		RedisOptions options = RedisOptions.of(config);
		return start(config, options, RedisConnections.create(config, options));
	}

	/** For tests: open with a change to the client resources of the store's own connections. */
	static RedisStore open(StoreConfig config, Consumer<DefaultClientResources.Builder> resources) {
		RedisOptions options = RedisOptions.of(config);
		return start(config, options, RedisConnections.create(config, options, resources));
	}

	/**
	 * Open a store on an existing connection factory (for example the one Spring Boot
	 * configured). The store never closes it; its command timeout bounds the store's calls.
	 * It must be a {@link LettuceConnectionFactory}: the store relies on Lettuce re-subscribing
	 * after a disconnect.
	 * The endpoints and credentials of {@code config} are not used.
	 * @param config namespace, value size limit and options
	 * @param factory a started factory
	 * @return the open store
	 */
	public static RedisStore open(StoreConfig config, RedisConnectionFactory factory) {
		Objects.requireNonNull(factory, "'factory' must not be null");
		if (!(factory instanceof LettuceConnectionFactory)) {
			// Other clients (Jedis) block a thread per subscription and reconnect differently.
			throw new StoreConfigurationException("The redis store needs a LettuceConnectionFactory, got a "
					+ factory.getClass().getName());
		}
		return start(config, RedisOptions.of(config), RedisConnections.given(factory));
	}

	private static RedisStore start(StoreConfig config, RedisOptions options, RedisConnections connections) {
		RedisStore store;
		try {
			store = new RedisStore(config, options, connections);
		}
		catch (RuntimeException ex) {
			connections.close();
			throw ex;
		}
		try {
			RedisClusterClient cluster = connections.clusterClient();
			// Before any script runs: they publish with the command the layout gives them.
			store.layout.publishSharded(cluster != null && store.access.canPublishSharded(store.layout.probeChannel()));
			store.access.loadScripts();
			store.guardEpochs(new RedisEpochMarker(store.access, store.layout));
			store.feed.start(store.subscriptions());
			store.ttlKeeper.start(options.sweepInterval());
			if (store.historyRegistration != null) {
				store.historyRegistration.start(store.io);
			}
		}
		catch (RuntimeException ex) {
			store.close();
			throw ex;
		}
		return store;
	}

	/** Sharded pub/sub on a Redis Cluster that has it, else plain pub/sub on a connection of the factory. */
	private Function<RedisChangeFeed, RedisSubscription> subscriptions() {
		RedisClusterClient cluster = this.connections.clusterClient();
		if (cluster != null && this.layout.sharded()) {
			return (feed) -> new RedisShardedSubscription(cluster, this.layout.changes(), feed, this.io);
		}
		return (feed) -> RedisSubscription.classic(this.access.connection(), feed);
	}

	@Override
	public Duration minimumTtl() {
		return this.options.minimumTtl();
	}

	@Override
	protected String minimumTtlReason() {
		return "Redis expires keys to the millisecond, but keep-alive keys and locks are renewed over the network every TTL/3;"
				+ " the floor is the redis store option '" + RedisOptions.MINIMUM_TTL + "'";
	}

	// ---- Data ---------------------------------------------------------------------------

	@Override
	protected void doPut(String key, byte[] value, WriteOptions options) {
		long sent = System.nanoTime();
		long index = write(RedisScript.WRITE, bytes(key), value, ttl(options), ANY);
		this.ttlKeeper.written(key, value, index, options, sent);
	}

	@Override
	protected @Nullable KVPair doGet(String key, ReadOptions options) {
		return RedisLayout.pair(key, this.access.lettuce((redis) -> redis.get(this.layout.data(key))));
	}

	@Override
	protected boolean doExists(String key, ReadOptions options) {
		Long exists = this.access.lettuce((redis) -> redis.exists(this.layout.data(key)));
		return exists != null && exists > 0;
	}

	@Override
	protected Map<String, Object> doServerInfo() {
		// Lettuce's INFO, not Spring Data's: on a Redis Cluster that one merges every node's under node prefixes.
		Properties info = info(this.access.lettuce((redis) -> redis.info("server")));
		Properties replication = info(this.access.lettuce((redis) -> redis.info("replication")));
		Map<String, Object> details = new LinkedHashMap<>();
		putIfPresent(details, "version", info, "redis_version");
		// Valkey's redis_version is the Redis version it is compatible with (7.2.4 on Valkey 8).
		putIfPresent(details, "valkeyVersion", info, "valkey_version");
		putIfPresent(details, "mode", info, "redis_mode");
		putIfPresent(details, "role", replication, "role");
		return details;
	}

	private static Properties info(@Nullable String text) {
		Properties properties = new Properties();
		if (text != null) {
			for (String line : text.split("\r?\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && !line.startsWith("#")) {
					properties.setProperty(line.substring(0, colon), line.substring(colon + 1).strip());
				}
			}
		}
		return properties;
	}

	private static void putIfPresent(Map<String, Object> details, String name, @Nullable Properties info, String property) {
		String value = (info != null) ? info.getProperty(property) : null;
		if (value != null) {
			details.put(name, value);
		}
	}

	@Override
	protected boolean doDelete(String key) {
		// Stopped first: a keep-alive rewriting the key after an outage must not undo this delete.
		this.ttlKeeper.stop(key);
		long result = write(RedisScript.DELETE, bytes(key), number(0));
		return result > 0;
	}

	@Override
	protected @Nullable List<KVPair> doList(String dir, ReadOptions options) {
		Read read = read(dir, true);
		return read.exists() || !read.pairs().isEmpty() ? new ArrayList<>(read.pairs().values()) : null;
	}

	@Override
	protected boolean doDeleteTree(String dir) {
		long deleted = write(RedisScript.DELETE_TREE, bytes(dir));
		return deleted > 0;
	}

	@Override
	protected KVPair doAtomicPut(String key, byte[] value, @Nullable KVPair previous, WriteOptions options) {
		long sent = System.nanoTime();
		long result = write(RedisScript.WRITE, bytes(key), value, ttl(options),
				number((previous != null) ? previous.lastIndex() : 0));
		if (result == -1) {
			throw new KeyNotFoundException(key);
		}
		if (result == -2) {
			throw modified(key, previous);
		}
		if (result == -3) {
			throw new KeyExistsException("Key '" + key + "' already exists (atomicPut without a previous pair only creates)");
		}
		this.ttlKeeper.written(key, value, result, options, sent);
		return KVPair.of(key, value, result);
	}

	@Override
	protected void doAtomicDelete(String key, KVPair previous) {
		long result = write(RedisScript.DELETE, bytes(key), number(previous.lastIndex()));
		if (result == -1) {
			throw new KeyNotFoundException(key);
		}
		if (result == -2) {
			throw modified(key, previous);
		}
		this.ttlKeeper.stop(key);
	}

	// ---- Watches ------------------------------------------------------------------------

	@Override
	public void watched(String key, boolean tree) {
		// Redis away: no registration either (a resume over the changes meanwhile resyncs).
		if (this.feed.watchOpened() && this.historyRegistration != null) {
			this.historyRegistration.watchOpened();
		}
	}

	@Override
	public Snapshot snapshot(String key, boolean tree) {
		Read read = read(key, tree);
		return new Snapshot(read.pairs(), read.counter());
	}

	@Override
	public @Nullable History history(String key, boolean tree, long index) {
		List<Object> result = this.access.script(RedisScript.HISTORY, ScriptOutputType.MULTI, this.layout.scriptKeys(),
				this.layout.scriptArgs(bytes(key), number(tree ? 1 : 0), number(index)));
		if (result == null || result.isEmpty()) {
			return null;
		}
		NavigableMap<String, KVPair> current = pairs(result.get(1));
		List<?> entries = (List<?>) result.get(2);
		// Roll the current state back to the index: each key as it was before its first change since.
		NavigableMap<String, KVPair> state = new TreeMap<>(current);
		for (int i = entries.size() - 6; i >= 0; i -= 6) {
			String changed = string(entries.get(i + 2));
			long before = Long.parseLong(string(entries.get(i + 3)));
			Object beforeValue = entries.get(i + 5);
			if (before == 0) {
				state.remove(changed);
			}
			else if (beforeValue instanceof byte[] value) {
				state.put(changed, KVPair.wrap(changed, value, before));
			}
			else {
				// The earlier value was too large to keep in the history.
				return null;
			}
		}
		List<Change> changes = new ArrayList<>(entries.size() / 6);
		for (int i = 0; i + 5 < entries.size(); i += 6) {
			long changeIndex = Long.parseLong(string(entries.get(i)));
			String changed = string(entries.get(i + 2));
			if ("D".equals(string(entries.get(i + 1)))) {
				changes.add(new Change(changed, null, changeIndex));
			}
			else if (entries.get(i + 4) instanceof byte[] value) {
				changes.add(new Change(changed, KVPair.wrap(changed, value, changeIndex), changeIndex));
			}
			else {
				return null;
			}
		}
		return new History(state, changes, Long.parseLong(string(result.get(0))));
	}

	private Read read(String key, boolean tree) {
		List<Object> result = this.access.script(RedisScript.READ, ScriptOutputType.MULTI, this.layout.scriptKeys(),
				this.layout.scriptArgs(bytes(key), number(tree ? 1 : 0)));
		return new Read(Long.parseLong(string(result.get(0))), ((Number) result.get(1)).longValue() == 1,
				pairs(result.get(2)));
	}

	/** Pairs from a flat list key, entry, ... sorted by key. */
	private static NavigableMap<String, KVPair> pairs(Object flat) {
		List<?> list = (List<?>) flat;
		NavigableMap<String, KVPair> pairs = new TreeMap<>();
		for (int i = 0; i + 1 < list.size(); i += 2) {
			String member = string(list.get(i));
			KVPair pair = RedisLayout.pair(member, (byte[]) list.get(i + 1));
			if (pair != null) {
				pairs.put(member, pair);
			}
		}
		return pairs;
	}

	private record Read(long counter, boolean exists, NavigableMap<String, KVPair> pairs) {
	}

	// ---- Locks --------------------------------------------------------------------------

	@Override
	protected StoreLock doNewLock(String key, LockOptions options) {
		return new RedisLock(this, key, options, this.access, this.layout, this.waiters, this.io);
	}

	@Override
	protected void doClose() {
		try {
			this.access.close();
			this.ttlKeeper.close();
			if (this.historyRegistration != null) {
				this.historyRegistration.close();
			}
			this.feed.close();
			this.io.shutdownNow();
		}
		finally {
			this.connections.close();
		}
	}

	// ---- Helpers ------------------------------------------------------------------------

	private long write(RedisScript script, byte[]... args) {
		return this.access.scriptLong(script, this.layout.scriptKeys(), this.layout.scriptArgs(args));
	}

	private static KeyModifiedException modified(String key, @Nullable KVPair previous) {
		return new KeyModifiedException("Key '" + key + "' was modified: its lastIndex is no longer "
				+ ((previous != null) ? previous.lastIndex() : 0));
	}

	private static byte[] ttl(WriteOptions options) {
		Duration ttl = options.ttl();
		return number((ttl != null) ? Math.max(1, ttl.toMillis()) : 0);
	}

	private static byte[] number(long value) {
		return RedisLayout.number(value);
	}

	private static byte[] bytes(String text) {
		return RedisLayout.bytes(text);
	}

	private static String string(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
	}

}
