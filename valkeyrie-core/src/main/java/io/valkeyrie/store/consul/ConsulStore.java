package io.valkeyrie.store.consul;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.AbstractStore;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.Keys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * A {@link io.valkeyrie.store.Store} on Consul's KV store, through its HTTP API.
 * <p>
 * Keys live under {@code <namespace>/<key>}; {@code lastIndex} is Consul's
 * {@code ModifyIndex}; writes are transactions ({@code /v1/txn}) so that compare-and-swap,
 * "make permanent" and the new index come in one round trip. TTL keys are held by a Consul
 * session with behavior {@code delete} and carry their expiry time in the entry's
 * {@code Flags}, so readers hide them on time and a sweeper deletes them; lock records live
 * under a separate bookkeeping prefix. All watches of a store share one recursive blocking
 * query on the namespace. See {@code docs/backends/consul.md}.
 * <pre>{@code
 * try (Store store = ConsulStore.open(StoreConfig.builder("consul").endpoints("http://127.0.0.1:8500").namespace("app").build())) {
 *     store.put("config/feature", "on");
 * }
 * }</pre>
 * Thread-safe.
 */
public final class ConsulStore extends AbstractStore {

	private static final Logger logger = LoggerFactory.getLogger(ConsulStore.class);

	static final String BACKEND = "consul";

	private static final byte[] EMPTY = new byte[0];

	/** Consul's limit on operations in one transaction. */
	private static final int MAX_TXN_OPS = 64;

	/** How often a write is planned again because watch feeds keep registering meanwhile. */
	private static final int MAX_REGISTRY_RETRIES = 10;

	/** Room in a transaction request for everything but the base64 value. */
	private static final int TXN_OVERHEAD = 8 * 1024;

	private static final AtomicInteger IO_THREADS = new AtomicInteger();

	/** Added to the expiry time of a TTL key, well within the contract's TTL + 1 s. */
	private static final Duration EXPIRY_SLACK = Duration.ofMillis(200);

	/** Added to the session TTL of a TTL key: Consul deletes it at most twice this after the TTL. */
	private static final Duration SESSION_MARGIN = Duration.ofMillis(250);

	private final ConsulSettings settings;

	private final ConsulHttp http;

	/** {@code <namespace>/}, or empty for the root. */
	private final String prefix;

	private final Duration sessionTtlMin;

	private final String sessionTtlMinSource;

	private final int txnValueLimit;

	private final ExecutorService io;

	private final ConsulSessions sessions;

	private final ConsulWatchRegistry registry;

	/**
	 * The nonces of the flags of writes without expiry: counted from a random start, so that
	 * this store never repeats its own and two stores practically never share one.
	 */
	private final AtomicLong writeNonces = new AtomicLong(new SecureRandom().nextLong());

	private final ConsulChangeLog log;

	private final ConsulFeed feed;

	private final Map<String, Long> sweeps = new ConcurrentHashMap<>();

	private ConsulStore(StoreConfig config, ConsulSettings settings, ConsulHttp http) {
		super(BACKEND, config);
		this.settings = settings;
		this.http = http;
		http.reportTo(reachability());
		this.prefix = Keys.childPrefix(config.namespace());
		this.io = Executors.newCachedThreadPool((runnable) -> {
			Thread thread = new Thread(runnable, "valkeyrie-consul-io-" + IO_THREADS.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		ConsulHttp.Response self = null;
		try {
			self = http.get("agent/self", "");
		}
		catch (StoreUnavailableException ex) {
			close();
			SSLException tls = http.tlsFailure();
			if (tls != null) {
				StoreUnavailableException refused = new StoreUnavailableException(BACKEND,
						"the TLS handshake with the agent failed: " + tls.getMessage(), tls);
				refused.addSuppressed(ex);
				throw refused;
			}
			throw ex;
		}
		catch (StoreException ex) {
			close();
			throw ex;
		}
		Duration agentMin = null;
		long txnMax = 512 * 1024;
		if (self.ok()) {
			String min = ConsulJson.agentSetting(self.body(), "DebugConfig", "SessionTTLMin");
			agentMin = (min != null) ? BackendOptions.parseDuration(min) : null;
			String txn = ConsulJson.agentSetting(self.body(), "DebugConfig", "TxnMaxReqLen");
			txnMax = (txn != null && txn.matches("\\d+")) ? Long.parseLong(txn) : txnMax;
		}
		if (settings.sessionTtlMin() != null) {
			this.sessionTtlMin = settings.sessionTtlMin();
			this.sessionTtlMinSource = "the consul option '" + ConsulSettings.SESSION_TTL_MIN + "'";
		}
		else if (agentMin != null && agentMin.isZero()) {
			// An agent started without session_ttl_min (hashicorp/consul, "agent -dev") reports 0s
			// and enforces Consul's default of 10 s.
			this.sessionTtlMin = Duration.ofSeconds(10);
			this.sessionTtlMinSource = "Consul's default session_ttl_min (the agent sets none)";
		}
		else if (agentMin != null) {
			this.sessionTtlMin = agentMin;
			this.sessionTtlMinSource = "the agent's session_ttl_min";
		}
		else {
			// The token may not read the agent (agent:read); assume Consul's default.
			this.sessionTtlMin = Duration.ofSeconds(10);
			this.sessionTtlMinSource = "Consul's default session_ttl_min (the agent's own could not be read; set the consul option '"
					+ ConsulSettings.SESSION_TTL_MIN + "')";
		}
		// The value travels base64-encoded in a write transaction, twice with the change log (key and record).
		this.txnValueLimit = (int) Math.max(0, (txnMax - TXN_OVERHEAD) / 4 * 3 / (settings.changeLog() ? 2 : 1));
		this.sessions = new ConsulSessions(http, this.sessionTtlMin, scheduler(), this.io);
		this.registry = new ConsulWatchRegistry(http, this.sessions, settings.bookkeepingPrefix(), scheduler(), this.io);
		this.log = new ConsulChangeLog(this.sessions, this.registry, settings.bookkeepingPrefix(), settings.changeLog());
		this.feed = new ConsulFeed(this, http, this.prefix, settings.watchWait(), config.requestTimeout());
		// First thing on close, before held locks are released over HTTP: a frozen agent must not
		// keep callers (a watch registration waiting for the feed, a read) waiting meanwhile.
		onClose(this::endCallsInFlight);
		guardEpochs(new ConsulEpochMarker(http, settings.bookkeepingPrefix(), this.prefix));
	}

	/**
	 * Open a Consul store.
	 * @param config the configuration; its backend must be {@code consul}
	 * @return the open store
	 * @throws StoreConfigurationException for an invalid configuration
	 * @throws StoreUnavailableException if no agent answers
	 */
	public static ConsulStore open(StoreConfig config) {
		if (!BACKEND.equals(config.backend())) {
			throw new StoreConfigurationException("ConsulStore needs a 'consul' configuration, not '"
					+ config.backend() + "'");
		}
		ConsulSettings settings = ConsulSettings.of(config);
		return new ConsulStore(config, settings, new ConsulHttp(config, settings));
	}

	// ---- Keys -------------------------------------------------------------------------

	String consulKey(String key) {
		return this.prefix + key;
	}

	/** The relative key of a Consul key of this namespace, or {@code null} for one the store must not show. */
	@Nullable String relative(String consulKey) {
		if (!consulKey.startsWith(this.prefix) || consulKey.length() == this.prefix.length()) {
			return null;
		}
		String key = consulKey.substring(this.prefix.length());
		if (this.prefix.isEmpty() && Keys.isAtOrBelow(key, this.settings.bookkeepingPrefix())) {
			return null;
		}
		try {
			// Written by another tool in a form no valkeyrie key has ("a//b", "a/"): not ours to show.
			return Keys.key(key).equals(key) ? key : null;
		}
		catch (InvalidKeyException ex) {
			return null;
		}
	}

	/** The lock record of a key, under the bookkeeping prefix. */
	String lockRecord(String key) {
		return this.settings.bookkeepingPrefix() + "/locks/" + consulKey(key);
	}

	private String checked(String key) {
		if (this.prefix.isEmpty() && Keys.isAtOrBelow(key, this.settings.bookkeepingPrefix())) {
			throw new InvalidKeyException(key, "in the root namespace, '" + this.settings.bookkeepingPrefix()
					+ "' is reserved for the consul store's lock records (option '" + ConsulSettings.BOOKKEEPING_PREFIX + "')");
		}
		return consulKey(key);
	}

	private String readQuery(ReadOptions options) {
		if (!options.consistent()) {
			return "stale";
		}
		return this.settings.consistentReads() ? "consistent" : "";
	}

	private static String with(String query, String more) {
		return query.isEmpty() ? more : more + "&" + query;
	}

	// ---- Reads ------------------------------------------------------------------------

	@Override
	protected @Nullable KVPair doGet(String key, ReadOptions options) {
		ConsulEntry entry = read(checked(key), readQuery(options));
		return (entry == null || entry.expired()) ? null : KVPair.wrap(key, entry.value(), entry.modifyIndex());
	}

	/** The raw entry of a Consul key, expired or not; {@code null} if absent. */
	@Nullable ConsulEntry read(String consulKey, String query) {
		ConsulHttp.Response response = this.http.get(ConsulHttp.kvPath(consulKey), query);
		if (response.status() == 404) {
			return null;
		}
		expectOk(response, "read");
		return ConsulJson.first(response.body());
	}

	@Override
	protected @Nullable List<KVPair> doList(String dir, ReadOptions options) {
		Listing listing = listing(dir, readQuery(options));
		if (!listing.pairs().isEmpty()) {
			return listing.pairs();
		}
		return (!dir.isEmpty() && doGet(dir, options) != null) ? List.of() : null;
	}

	/** Every live key strictly below {@code dir}, sorted, with the index Consul read them at. */
	Listing listing(String dir, String query) {
		String path = dir.isEmpty() ? this.prefix : checked(dir) + "/";
		ConsulHttp.Response response = this.http.get(ConsulHttp.kvPath(path), with(query, "recurse"));
		if (response.status() == 404) {
			return new Listing(List.of(), response.index());
		}
		expectOk(response, "list");
		long now = System.currentTimeMillis();
		List<KVPair> pairs = new ArrayList<>();
		for (ConsulEntry entry : ConsulJson.entries(response.body())) {
			String key = relative(entry.key());
			if (key != null && !entry.expired(now)) {
				pairs.add(KVPair.wrap(key, entry.value(), entry.modifyIndex()));
			}
		}
		// Consul sorts by UTF-8 bytes; the contract sorts by Java string order.
		pairs.sort(Comparator.comparing(KVPair::key));
		return new Listing(pairs, response.index());
	}

	record Listing(List<KVPair> pairs, long index) {
	}

	@Override
	public Snapshot snapshot(String key, boolean tree) {
		if (this.feed.ready()) {
			return this.feed.snapshot(key, tree);
		}
		NavigableMap<String, KVPair> pairs = new TreeMap<>();
		if (tree) {
			Listing listing = listing(key, readQuery(ReadOptions.CONSISTENT));
			listing.pairs().forEach((pair) -> pairs.put(pair.key(), pair));
			return new Snapshot(pairs, listing.index());
		}
		ConsulHttp.Response response = this.http.get(ConsulHttp.kvPath(checked(key)), readQuery(ReadOptions.CONSISTENT));
		if (response.status() != 404) {
			expectOk(response, "read");
			ConsulEntry entry = ConsulJson.first(response.body());
			if (entry != null && !entry.expired()) {
				pairs.put(key, KVPair.wrap(key, entry.value(), entry.modifyIndex()));
			}
		}
		return new Snapshot(pairs, response.index());
	}

	@Override
	public void watched(String key, boolean tree) {
		this.feed.start();
		if (isClosed()) {
			// Woken by a close: the registration ends like any call in flight.
			throw new StoreClosedException("The " + BACKEND + " store was closed while the watch registered");
		}
	}

	// ---- Writes -----------------------------------------------------------------------

	@Override
	protected void doPut(String key, byte[] value, WriteOptions options) {
		write(key, value, null, false, options);
	}

	@Override
	protected KVPair doAtomicPut(String key, byte[] value, @Nullable KVPair previous, WriteOptions options) {
		return KVPair.of(key, value, write(key, value, previous, true, options));
	}

	/**
	 * Write a key and return its new index. Without a TTL the key is written without a
	 * session (a previous TTL session lets go of it); a TTL key is locked by a session that
	 * Consul lets expire within the TTL.
	 */
	private long write(String key, byte[] value, @Nullable KVPair previous, boolean cas, WriteOptions options) {
		String consulKey = checked(key);
		Duration ttl = options.ttl();
		String session = null;
		long expiry = 0;
		if (ttl != null) {
			// Before any session can hold the key: writers elsewhere then clear sessions here.
			this.registry.markTtlPrefix(this.prefix);
			if (options.keepAlive()) {
				session = this.sessions.keepAlive(ttl);
			}
			else {
				if (ttl.dividedBy(2).compareTo(ConsulSessions.MAX_SESSION_TTL) <= 0) {
					// A little longer than half: the expiry time and the sweep decide the exact moment, the
					// session is the safety net and must not take the key before the TTL has passed.
					Duration sessionTtl = this.sessions.sessionTtl(ttl).plus(SESSION_MARGIN);
					session = this.sessions.create("valkeyrie-ttl", min(sessionTtl, ConsulSessions.MAX_SESSION_TTL), "delete",
							Duration.ZERO);
				}
				// Counted from just before the request: the slack keeps a slow round trip from making
				// the key vanish before the TTL has passed for the caller.
				expiry = System.currentTimeMillis() + ttl.toMillis() + EXPIRY_SLACK.toMillis();
			}
		}
		long flags = (expiry > 0) ? ConsulEntry.ttlFlags(expiry) : ConsulEntry.writeFlags(this.writeNonces.incrementAndGet());
		boolean written = false;
		try {
			long index;
			try {
				index = writeOnce(key, consulKey, value, previous, cas, flags, session);
			}
			catch (StoreException ex) {
				if (!options.keepAlive() || ex.getMessage() == null || !ex.getMessage().contains("session")) {
					throw ex;
				}
				// Consul forgot the keep-alive session (a restarted agent): start a new one.
				this.sessions.forgetKeepAlives();
				session = this.sessions.keepAlive(ttl);
				index = writeOnce(key, consulKey, value, previous, cas, flags, session);
			}
			written = true;
			if (expiry > 0) {
				sweepAt(consulKey, index, expiry);
			}
			return index;
		}
		finally {
			if (!written && session != null && !options.keepAlive()) {
				this.sessions.destroyLater(session);
			}
		}
	}

	private long writeOnce(String key, String consulKey, byte[] value, @Nullable KVPair previous, boolean cas, long flags,
			@Nullable String session) {
		return (value.length <= this.txnValueLimit) ? writeInTxn(key, consulKey, value, previous, cas, flags, session)
				: writeLarge(key, consulKey, value, previous, cas, flags, session);
	}

	private long writeInTxn(String key, String consulKey, byte[] value, @Nullable KVPair previous, boolean cas, long flags,
			@Nullable String session) {
		long expected = (previous != null) ? previous.lastIndex() : 0;
		for (int attempt = 0;; attempt++) {
			long compareTo = expected;
			// An absent key holds no session, so a create has nothing to drop.
			boolean create = cas && compareTo == 0;
			ConsulJson.TxnResult result = txn(() -> {
				ConsulJson.Txn txn = new ConsulJson.Txn();
				if (cas) {
					if (compareTo == 0) {
						txn.op("check-not-exists", consulKey);
					}
					else {
						txn.checkIndex(consulKey, compareTo);
					}
				}
				if (!create) {
					ConsulWatchRegistry.View view = this.registry.view();
					if (session != null || view.mayHoldSession(consulKey)) {
						// Deleting first drops any session still holding the key, so the new one (or none)
						// takes over.
						txn.op("delete", consulKey);
					}
					else {
						// No TTL key has been written here, so no session holds the key: unless one was
						// since, which fails this check (a set keeps the session a key has).
						txn.checkRegistry(view);
					}
				}
				txn.set(consulKey, value, flags, session);
				this.log.put(txn, consulKey, value);
				return txn;
			});
			if (result.committed()) {
				ConsulEntry entry = result.entry(consulKey);
				if (entry == null) {
					throw new StoreException("consul committed the write of '" + key + "' but returned no entry");
				}
				return entry.modifyIndex();
			}
			if (!cas || result.errorOp() != 0) {
				throw new StoreException("consul refused the write of '" + key + "': " + result.error());
			}
			// The precondition failed: tell the cases apart from the current entry.
			ConsulEntry current = read(consulKey, "consistent");
			if (previous == null) {
				if (current == null || (current.expired() && attempt < 3)) {
					// Gone meanwhile, or expired but not yet swept: absent for the contract.
					expected = (current != null) ? current.modifyIndex() : 0;
					continue;
				}
				throw new KeyExistsException("Key '" + key + "' already exists");
			}
			throw mismatch(key, current);
		}
	}

	/**
	 * Values too large for a transaction request (Consul's txn_max_req_len) go through the
	 * plain KV endpoint: the previous holder is released (or the index compared) by the write
	 * itself, and a TTL session takes the key with a second write.
	 */
	private long writeLarge(String key, String consulKey, byte[] value, @Nullable KVPair previous, boolean cas, long flags,
			@Nullable String session) {
		String path = ConsulHttp.kvPath(consulKey);
		for (int attempt = 0;; attempt++) {
			ConsulEntry current = read(consulKey, "consistent");
			boolean absent = current == null || current.expired();
			if (cas) {
				if (previous == null && !absent) {
					throw new KeyExistsException("Key '" + key + "' already exists");
				}
				if (previous != null && (absent || current.modifyIndex() != previous.lastIndex())) {
					throw mismatch(key, current);
				}
			}
			String condition;
			if (current == null) {
				condition = "cas=0";
			}
			else if (current.session() != null) {
				condition = "release=" + current.session();
			}
			else {
				condition = "cas=" + current.modifyIndex();
			}
			ConsulHttp.Response response = this.http.put(path, condition + "&flags=" + flags, value);
			expectOk(response, "write");
			if (!"true".equals(response.text())) {
				if (attempt > 20) {
					throw new KeyModifiedException("Key '" + key + "' kept changing while a large value was written");
				}
				continue;
			}
			if (session != null) {
				response = this.http.put(path, "acquire=" + session + "&flags=" + flags, value);
				expectOk(response, "write");
			}
			ConsulEntry written = read(consulKey, "consistent");
			if (written != null && written.flags() == flags && Arrays.equals(written.value(), value)) {
				return written.modifyIndex();
			}
			// Overwritten at once by another client: our write's index is unknown. Report an index
			// no live key has, so a compare-and-swap based on it fails as it should.
			return 1;
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private static StoreException mismatch(String key, @Nullable ConsulEntry current) {
		if (current == null || current.expired()) {
			return new KeyNotFoundException(key);
		}
		return new KeyModifiedException("Key '" + key + "' was modified: its index is " + current.modifyIndex());
	}

	@Override
	protected boolean doDelete(String key) {
		String consulKey = checked(key);
		ConsulJson.TxnResult result = txn(() -> {
			ConsulJson.Txn txn = new ConsulJson.Txn().op("get", consulKey).op("delete", consulKey);
			this.log.delete(txn, consulKey);
			return txn;
		});
		if (!result.committed()) {
			if (result.errorOp() == 0) {
				return false;
			}
			throw new StoreException("consul refused to delete '" + key + "': " + result.error());
		}
		ConsulEntry entry = result.entry(consulKey);
		return entry != null && !entry.expired();
	}

	@Override
	protected void doAtomicDelete(String key, KVPair previous) {
		String consulKey = checked(key);
		ConsulJson.TxnResult result = txn(() -> deleteIfUnchanged(consulKey, previous.lastIndex()));
		if (!result.committed()) {
			throw mismatch(key, read(consulKey, "consistent"));
		}
	}

	private ConsulJson.Txn deleteIfUnchanged(String consulKey, long index) {
		ConsulJson.Txn txn = new ConsulJson.Txn().checkIndex(consulKey, index).op("delete", consulKey);
		this.log.delete(txn, consulKey);
		return txn;
	}

	@Override
	protected boolean doDeleteTree(String dir) {
		if (dir.isEmpty() && this.prefix.isEmpty()) {
			return deleteEverything();
		}
		String base = dir.isEmpty() ? this.prefix : checked(dir);
		// Log the deletes of the keys there now so watchers see them in order with later writes; a key
		// added before the transaction runs is still deleted, and its watchers see that from the state.
		List<String> known = keysAtOrBelow(base, dir.isEmpty());
		ConsulJson.TxnResult result = txn(() -> {
			ConsulJson.Txn txn = new ConsulJson.Txn().op("get-tree", base);
			if (dir.isEmpty()) {
				txn.op("delete-tree", base);
			}
			else {
				txn.op("delete-tree", base + "/").op("delete", base);
			}
			// One operation stays free for the change log's slot marker.
			if (known.size() <= MAX_TXN_OPS - 1 - txn.size()) {
				known.forEach((key) -> this.log.delete(txn, key));
			}
			return txn;
		});
		if (!result.committed()) {
			throw new StoreException("consul refused to delete the tree '" + dir + "': " + result.error());
		}
		long now = System.currentTimeMillis();
		for (ConsulEntry entry : result.results()) {
			String key = relative(entry.key());
			if (key != null && Keys.isAtOrBelow(key, dir) && !entry.expired(now)) {
				return true;
			}
		}
		return false;
	}

	private List<String> keysAtOrBelow(String base, boolean belowOnly) {
		ConsulHttp.Response response = this.http.get(ConsulHttp.kvPath(base), "keys&consistent");
		if (response.status() == 404) {
			return List.of();
		}
		expectOk(response, "list");
		List<String> keys = new ArrayList<>();
		for (ConsulEntry entry : ConsulJson.keyNames(response.body())) {
			String key = entry.key();
			boolean inside = belowOnly ? key.startsWith(base) : (key.equals(base) || key.startsWith(base + "/"));
			if (inside && relative(key) != null) {
				keys.add(key);
			}
		}
		return keys;
	}

	/** deleteTree of the root of the root namespace: everything but the bookkeeping. */
	private boolean deleteEverything() {
		ConsulHttp.Response response = this.http.get("kv/", "keys");
		if (response.status() == 404) {
			return false;
		}
		expectOk(response, "list");
		List<String> keys = new ArrayList<>();
		for (ConsulEntry entry : ConsulJson.keyNames(response.body())) {
			if (!Keys.isAtOrBelow(entry.key(), this.settings.bookkeepingPrefix())) {
				keys.add(entry.key());
			}
		}
		// A delete and its log record per key, and the log's slot marker.
		int batch = (MAX_TXN_OPS - 1) / 2;
		for (int start = 0; start < keys.size(); start += batch) {
			List<String> some = keys.subList(start, Math.min(keys.size(), start + batch));
			ConsulJson.TxnResult result = txn(() -> {
				ConsulJson.Txn txn = new ConsulJson.Txn();
				some.forEach((key) -> txn.op("delete", key));
				some.forEach((key) -> this.log.delete(txn, key));
				return txn;
			});
			if (!result.committed()) {
				throw new StoreException("consul refused to delete keys: " + result.error());
			}
		}
		return !keys.isEmpty();
	}

	/**
	 * Run a transaction built by {@code build}; if Consul no longer knows a session it names
	 * (an agent restarted without its data forgets every session), start new sessions and run
	 * it once more.
	 */
	private ConsulJson.TxnResult txn(Supplier<ConsulJson.Txn> build) {
		boolean sessionRetried = false;
		for (int attempt = 0;; attempt++) {
			ConsulJson.Txn txn = build.get();
			ConsulJson.TxnResult result = txn(txn);
			if (result.committed()) {
				return result;
			}
			ConsulWatchRegistry.View seen = txn.registryCheckAt(result.errorOp());
			if (seen != null && attempt < MAX_REGISTRY_RETRIES) {
				// A watch feed registered since this store read the registry: plan the write again.
				this.registry.changed(seen);
				continue;
			}
			if (!sessionRetried && result.error() != null && result.error().contains("session")) {
				sessionRetried = true;
				if (txn.isLog(result.errorOp())) {
					this.log.reset(result.error());
				}
				else {
					this.sessions.forgetKeepAlives();
				}
				continue;
			}
			return result;
		}
	}

	ConsulJson.TxnResult txn(ConsulJson.Txn txn) {
		ConsulHttp.Response response = this.http.put("txn", "", txn.toBytes());
		if (response.status() != 200 && response.status() != 409) {
			expectOk(response, "transaction");
		}
		return ConsulJson.txnResult(response.body());
	}

	private static void expectOk(ConsulHttp.Response response, String what) {
		if (!response.ok()) {
			throw new StoreException("consul " + what + " failed: " + response.status() + " " + response.text());
		}
	}

	// ---- TTL sweeping -----------------------------------------------------------------

	/**
	 * Delete a TTL key when it expires, if it still holds the write that set the expiry.
	 * Its session would take it at about the same time; this makes the timing exact and
	 * covers TTLs longer than a session can live.
	 */
	void sweepAt(String consulKey, long index, long expiryMillis) {
		Long known = this.sweeps.putIfAbsent(consulKey, index);
		if (known != null && known >= index) {
			return;
		}
		this.sweeps.put(consulKey, index);
		long delay = Math.max(0, expiryMillis - System.currentTimeMillis());
		try {
			scheduler().schedule(() -> this.io.execute(() -> sweep(consulKey, index)), delay, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Closing: another store or the key's session deletes it.
		}
	}

	private void sweep(String consulKey, long index) {
		this.sweeps.remove(consulKey, index);
		if (isClosed()) {
			return;
		}
		try {
			txn(() -> deleteIfUnchanged(consulKey, index));
		}
		catch (RuntimeException ex) {
			// Readers already treat the key as absent; its session or another store deletes it.
			logger.debug("Deleting expired key failed", ex);
		}
	}

	// ---- Locks, TTL, close ------------------------------------------------------------

	@Override
	protected StoreLock doNewLock(String key, LockOptions options) {
		checked(key);
		return new ConsulLock(this, key, options);
	}

	ConsulHttp http() {
		return this.http;
	}

	ConsulSessions sessions() {
		return this.sessions;
	}

	ConsulSettings settings() {
		return this.settings;
	}

	/** The number of blocking queries in flight (the watch feed and lock waiters). */
	int blockingQueries() {
		return this.http.blockingQueries();
	}

	ConsulChangeLog changeLog() {
		return this.log;
	}

	ConsulFeed feed() {
		return this.feed;
	}

	ConsulWatchRegistry watchRegistry() {
		return this.registry;
	}

	ExecutorService io() {
		return this.io;
	}

	io.valkeyrie.store.internal.WatchHub watchHub() {
		return hub();
	}

	@Override
	public Duration minimumTtl() {
		return this.sessionTtlMin.multipliedBy(2);
	}

	@Override
	protected String minimumTtlReason() {
		return "TTL keys and locks use Consul sessions, which Consul invalidates up to twice their TTL after the last renewal, "
				+ "so a TTL needs a session TTL of half of it, and session TTLs cannot be below session_ttl_min ("
				+ BackendOptions.format(this.sessionTtlMin) + " from " + this.sessionTtlMinSource + ")";
	}

	@Override
	protected Map<String, Object> doServerInfo() {
		Map<String, Object> details = new LinkedHashMap<>();
		ConsulHttp.Response leader = this.http.get("status/leader", "");
		if (leader.ok()) {
			details.put("leader", ConsulJson.text(leader.body()));
		}
		// agent/self needs agent:read, which a token may lack: then only the leader is shown.
		ConsulHttp.Response self = this.http.get("agent/self", "");
		if (self.ok()) {
			putIfPresent(details, "version", ConsulJson.agentSetting(self.body(), "Config", "Version"));
			putIfPresent(details, "datacenter", ConsulJson.agentSetting(self.body(), "Config", "Datacenter"));
		}
		return details;
	}

	private static void putIfPresent(Map<String, Object> details, String name, @Nullable String value) {
		if (value != null) {
			details.put(name, value);
		}
	}

	/** Callers waiting for an answer, and the feed, end now; ending sessions still needs requests. */
	private void endCallsInFlight() {
		this.http.endInFlight(this::closesStore);
		if (this.feed != null) {
			this.feed.close();
		}
	}

	@Override
	protected void doClose() {
		// A store whose constructor failed never registered its close hook.
		endCallsInFlight();
		try {
			if (this.sessions != null) {
				this.sessions.closing(this::closeTimeLeft);
			}
			if (this.registry != null) {
				this.registry.close();
			}
			if (this.sessions != null) {
				this.sessions.close();
			}
		}
		finally {
			this.io.shutdownNow();
			this.http.close();
		}
	}

}
