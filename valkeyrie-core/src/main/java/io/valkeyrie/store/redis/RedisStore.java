package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.AbstractStore;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;

import org.jspecify.annotations.Nullable;

/**
 * A {@link io.valkeyrie.store.Store} on Redis 7 (standalone or Sentinel), through Spring Data
 * Redis and Lettuce.
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

	static final byte[] VALUE = { 'v' };

	static final byte[] INDEX = { 'i' };

	private static final AtomicInteger IDS = new AtomicInteger();

	private final RedisOptions options;

	private final RedisConnections connections;

	private final RedisLayout layout;

	private final RedisAccess access;

	private final ScheduledThreadPoolExecutor io;

	private final RedisLockWaiters waiters = new RedisLockWaiters();

	private final RedisTtlKeeper ttlKeeper;

	private final RedisChangeFeed feed;

	private RedisStore(StoreConfig config, RedisOptions options, RedisConnections connections) {
		super("redis", config);
		this.options = options;
		this.connections = connections;
		this.layout = new RedisLayout(options.keyPrefix(), config.namespace());
		this.access = new RedisAccess(connections.factory());
		int id = IDS.incrementAndGet();
		this.io = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "valkeyrie-redis-" + id + "-io");
			thread.setDaemon(true);
			return thread;
		});
		this.io.setRemoveOnCancelPolicy(true);
		this.io.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		this.ttlKeeper = new RedisTtlKeeper(this.access, this.layout, this.io);
		this.feed = new RedisChangeFeed(this.access, this.layout, hub(), this.waiters, "valkeyrie-redis-" + id + "-feed");
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

	/**
	 * Open a store on an existing connection factory (for example the one Spring Boot
	 * configured). The store never closes it; its command timeout bounds the store's calls.
	 * The endpoints and credentials of {@code config} are not used.
	 * @param config namespace, value size limit and options
	 * @param factory a started factory
	 * @return the open store
	 */
	public static RedisStore open(StoreConfig config, RedisConnectionFactory factory) {
		Objects.requireNonNull(factory, "'factory' must not be null");
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
			store.access.loadScripts();
			store.feed.start(config.connectTimeout().plus(config.requestTimeout()));
			store.ttlKeeper.start(options.sweepInterval());
		}
		catch (RuntimeException ex) {
			store.close();
			throw ex;
		}
		return store;
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
		long index = this.access.scriptLong(RedisScript.PUT, 3, namespaceArgs(bytes(key), value, ttl(options),
				number(this.options.inlineValueLimit())));
		this.ttlKeeper.written(key, index, options);
	}

	@Override
	protected @Nullable KVPair doGet(String key, ReadOptions options) {
		return pair(key, this.access.call((c) -> c.hashCommands().hMGet(this.layout.data(key), VALUE, INDEX)));
	}

	@Override
	protected boolean doExists(String key, ReadOptions options) {
		Boolean exists = this.access.call((c) -> c.keyCommands().exists(this.layout.data(key)));
		return Boolean.TRUE.equals(exists);
	}

	@Override
	protected boolean doDelete(String key) {
		long result = this.access.scriptLong(RedisScript.DELETE, 3, namespaceArgs(bytes(key), number(0)));
		this.ttlKeeper.stop(key);
		return result > 0;
	}

	@Override
	protected @Nullable List<KVPair> doList(String dir, ReadOptions options) {
		Read read = read(dir, true);
		return read.exists() || !read.pairs().isEmpty() ? new ArrayList<>(read.pairs().values()) : null;
	}

	@Override
	protected boolean doDeleteTree(String dir) {
		long deleted = this.access.scriptLong(RedisScript.DELETE_TREE, 3, namespaceArgs(bytes(dir)));
		return deleted > 0;
	}

	@Override
	protected KVPair doAtomicPut(String key, byte[] value, @Nullable KVPair previous, WriteOptions options) {
		long result = this.access.scriptLong(RedisScript.ATOMIC_PUT, 3, namespaceArgs(bytes(key), value, ttl(options),
				number(this.options.inlineValueLimit()), number((previous != null) ? previous.lastIndex() : 0)));
		if (result == -1) {
			throw new KeyNotFoundException(key);
		}
		if (result == -2) {
			throw modified(key, previous);
		}
		if (result == -3) {
			throw new KeyExistsException("Key '" + key + "' already exists (atomicPut without a previous pair only creates)");
		}
		this.ttlKeeper.written(key, result, options);
		return KVPair.of(key, value, result);
	}

	@Override
	protected void doAtomicDelete(String key, KVPair previous) {
		long result = this.access.scriptLong(RedisScript.DELETE, 3, namespaceArgs(bytes(key), number(previous.lastIndex())));
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
	public Snapshot snapshot(String key, boolean tree) {
		Read read = read(key, tree);
		return new Snapshot(read.pairs(), read.counter());
	}

	private Read read(String key, boolean tree) {
		List<Object> result = this.access.script(RedisScript.READ, ReturnType.MULTI, 3,
				namespaceArgs(bytes(key), number(tree ? 1 : 0)));
		NavigableMap<String, KVPair> pairs = new TreeMap<>(Comparator.naturalOrder());
		for (int i = 2; i + 2 < result.size(); i += 3) {
			String member = string(result.get(i));
			pairs.put(member, KVPair.wrap(member, (byte[]) result.get(i + 1), Long.parseLong(string(result.get(i + 2)))));
		}
		return new Read(Long.parseLong(string(result.get(0))), ((Number) result.get(1)).longValue() == 1, pairs);
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
			this.ttlKeeper.close();
			this.feed.close();
			this.io.shutdownNow();
		}
		finally {
			this.connections.close();
		}
	}

	// ---- Helpers ------------------------------------------------------------------------

	/** The three namespace keys and two fixed arguments every namespace script takes first. */
	private byte[][] namespaceArgs(byte[]... args) {
		byte[][] all = new byte[5 + args.length][];
		all[0] = this.layout.index();
		all[1] = this.layout.expiry();
		all[2] = this.layout.counter();
		all[3] = this.layout.dataPrefix();
		all[4] = this.layout.changes();
		System.arraycopy(args, 0, all, 5, args.length);
		return all;
	}

	static @Nullable KVPair pair(String key, @Nullable List<byte[]> fields) {
		if (fields == null || fields.size() < 2 || fields.get(1) == null) {
			return null;
		}
		byte[] value = fields.get(0);
		return KVPair.wrap(key, (value != null) ? value : new byte[0], Long.parseLong(string(fields.get(1))));
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
		return RedisTtlKeeper.number(value);
	}

	private static byte[] bytes(String text) {
		return RedisLayout.bytes(text);
	}

	private static String string(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
	}

}
