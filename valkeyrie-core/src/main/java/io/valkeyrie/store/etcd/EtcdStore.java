package io.valkeyrie.store.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.AbstractStore;
import io.valkeyrie.store.internal.WatchSource;

import org.jspecify.annotations.Nullable;

/**
 * A {@link io.valkeyrie.store.Store} on etcd v3 (3.4 and later), through jetcd.
 * <p>
 * Key {@code k} of namespace {@code ns} is the etcd key {@code ns/k}; a pair's
 * {@code lastIndex} is the key's mod revision, and compare-and-swap is a transaction on it.
 * TTL keys are attached to leases (etcd's minimum lease TTL is 2 s), watches share one
 * etcd watch over the namespace, and locks follow etcd's mutex recipe with records outside
 * every namespace. See {@code docs/backends/etcd.md}.
 * <pre>{@code
 * try (Store store = EtcdStore.open(StoreConfig.builder("etcd").endpoints("http://127.0.0.1:2379").namespace("app").build())) {
 *     store.put("config/feature", "on");
 * }
 * }</pre>
 * Thread-safe; meant to be shared.
 */
public final class EtcdStore extends AbstractStore {

	/** etcd's minimum lease TTL with its default election timeout (1 s): 1.5 x 1 s, rounded up. */
	private static final Duration MINIMUM_TTL = Duration.ofSeconds(2);

	private static final Comparator<KVPair> BY_KEY = Comparator.comparing(KVPair::key);

	private static final GetOption LINEARIZABLE = GetOption.builder().build();

	private static final GetOption SERIALIZABLE = GetOption.builder().withSerializable(true).build();

	private static final GetOption COUNT = GetOption.builder().withCountOnly(true).build();

	private static final GetOption SERIALIZABLE_COUNT = GetOption.builder().withCountOnly(true).withSerializable(true).build();

	private final Client client;

	private final boolean ownsClient;

	private final EtcdCalls calls;

	private final EtcdLayout layout;

	private final EtcdLeases leases;

	private final EtcdWatchFeed feed;

	private EtcdStore(StoreConfig config, Client client, boolean ownsClient) {
		super(EtcdCalls.BACKEND, config);
		this.client = client;
		this.ownsClient = ownsClient;
		this.calls = new EtcdCalls(config.requestTimeout());
		this.layout = new EtcdLayout(config.namespace());
		this.leases = new EtcdLeases(client, this.calls, scheduler());
		this.feed = new EtcdWatchFeed(client, this.layout, hub(), scheduler(), hub()::hasWatches);
		// First thing on close, before held locks are released: a frozen server must not keep
		// callers waiting for answers meanwhile.
		onClose(this.calls::endInFlight);
	}

	/**
	 * Open a store with its own jetcd client, checking that etcd answers (and accepts the
	 * credentials). Once open, the store rides out outages and reconnects by itself.
	 * @param config the configuration; its backend must be {@code etcd}
	 * @return the store
	 * @throws io.valkeyrie.store.StoreConfigurationException if the configuration is not usable
	 * @throws StoreUnavailableException if etcd does not answer within the request timeout
	 */
	public static EtcdStore open(StoreConfig config) {
		Objects.requireNonNull(config, "'config' must not be null");
		EtcdSettings settings = new EtcdSettings(config);
		return new EtcdStore(config, settings.newClient(), true).checked();
	}

	/**
	 * Open a store on an existing jetcd client, which the store uses but does not close. The
	 * client's own settings (endpoints, credentials, TLS, jetcd namespace) apply; the
	 * configuration's endpoints and credentials are ignored.
	 * @param config the configuration (namespace, timeouts, limits)
	 * @param client the client
	 * @return the store
	 * @throws StoreUnavailableException if etcd does not answer within the request timeout
	 */
	public static EtcdStore open(StoreConfig config, Client client) {
		Objects.requireNonNull(config, "'config' must not be null");
		Objects.requireNonNull(client, "'client' must not be null");
		// Options and limits are checked even though the client is built already.
		new EtcdSettings(config);
		return new EtcdStore(config, client, false).checked();
	}

	/** One cheap read inside the namespace (a single key, so any role that may use the namespace may do it). */
	private EtcdStore checked() {
		try {
			this.calls.await("connect", kv().get(this.layout.rangeStart(""), COUNT));
			guardEpochs(new EtcdEpochMarker(kv(), this.calls, namespace()));
			// From now on an outage is news (a failed start says so itself).
			this.calls.reportTo(reachability());
			this.feed.reportTo(reachability());
			return this;
		}
		catch (RuntimeException ex) {
			close();
			throw ex;
		}
	}

	@Override
	public Duration minimumTtl() {
		return MINIMUM_TTL;
	}

	@Override
	protected Map<String, Object> doServerInfo() {
		List<String> endpoints = config().endpoints();
		if (endpoints.isEmpty()) {
			// A store on a given client knows no endpoint to ask for its status; a read proves etcd answers.
			return super.doServerInfo();
		}
		StatusResponse status = this.calls.await("status", this.client.getMaintenanceClient().statusMember(endpoints.get(0)));
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("version", status.getVersion());
		details.put("member", Long.toHexString(status.getHeader().getMemberId()));
		details.put("leader", Long.toHexString(status.getLeader()));
		details.put("raftTerm", status.getRaftTerm());
		return details;
	}

	@Override
	protected String minimumTtlReason() {
		return "etcd's minimum lease TTL is 2 s (1.5 x the server's --election-timeout, default 1000 ms, rounded up "
				+ "to whole seconds); etcd would silently lengthen a shorter lease";
	}

	// ---- Keys and values ---------------------------------------------------------------

	@Override
	protected void doPut(String key, byte[] value, WriteOptions options) {
		ByteSequence etcdKey = this.layout.key(key);
		long lease = this.leases.leaseFor(options);
		PutResponse response = this.calls.await("put", kv().put(etcdKey, ByteSequence.from(value), putOption(lease)));
		this.leases.written(etcdKey, value, options, lease, response.getHeader().getRevision());
	}

	@Override
	protected @Nullable KVPair doGet(String key, ReadOptions options) {
		GetResponse response = this.calls.await("get",
				kv().get(this.layout.key(key), options.consistent() ? LINEARIZABLE : SERIALIZABLE));
		return response.getKvs().isEmpty() ? null : pair(key, response.getKvs().get(0));
	}

	@Override
	protected boolean doExists(String key, ReadOptions options) {
		return this.calls.await("exists", kv().get(this.layout.key(key), options.consistent() ? COUNT : SERIALIZABLE_COUNT))
			.getCount() > 0;
	}

	@Override
	protected boolean doDelete(String key) {
		ByteSequence etcdKey = this.layout.key(key);
		boolean deleted = this.calls.await("delete", kv().delete(etcdKey)).getDeleted() > 0;
		this.leases.deleted(etcdKey);
		return deleted;
	}

	@Override
	protected @Nullable List<KVPair> doList(String dir, ReadOptions options) {
		GetResponse response = this.calls.await("list", kv().get(this.layout.rangeStart(dir),
				GetOption.builder().withSerializable(!options.consistent()).withRange(this.layout.rangeEnd(dir)).build()));
		List<KVPair> pairs = pairs(response);
		if (!pairs.isEmpty() || dir.isEmpty()) {
			return pairs.isEmpty() ? null : pairs;
		}
		// Nothing below: the directory still "exists" if it holds a value itself.
		return doExists(dir, options) ? pairs : null;
	}

	@Override
	protected boolean doDeleteTree(String dir) {
		ByteSequence start = this.layout.rangeStart(dir);
		ByteSequence end = this.layout.rangeEnd(dir);
		DeleteOption below = DeleteOption.builder().withRange(end).build();
		long deleted;
		if (dir.isEmpty()) {
			deleted = this.calls.await("deleteTree", kv().delete(start, below)).getDeleted();
		}
		else {
			ByteSequence etcdKey = this.layout.key(dir);
			TxnResponse response = this.calls.await("deleteTree", kv().txn()
				.Then(Op.delete(etcdKey, DeleteOption.DEFAULT), Op.delete(start, below))
				.commit());
			deleted = response.getDeleteResponses().stream().mapToLong((r) -> r.getDeleted()).sum();
			this.leases.deleted(etcdKey);
		}
		this.leases.deletedRange(start, end);
		return deleted > 0;
	}

	@Override
	protected KVPair doAtomicPut(String key, byte[] value, @Nullable KVPair previous, WriteOptions options) {
		ByteSequence etcdKey = this.layout.key(key);
		long lease = this.leases.leaseFor(options);
		Op put = Op.put(etcdKey, ByteSequence.from(value), putOption(lease));
		Cmp condition = (previous != null) ? new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.modRevision(previous.lastIndex()))
				: new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.version(0));
		TxnResponse response = this.calls.await("atomicPut", kv().txn()
			.If(condition)
			.Then(put)
			.Else(Op.get(etcdKey, COUNT))
			.commit());
		if (response.isSucceeded()) {
			long revision = response.getHeader().getRevision();
			this.leases.written(etcdKey, value, options, lease, revision);
			return KVPair.of(key, value, revision);
		}
		if (!options.keepAlive()) {
			this.leases.revokeQuietly(lease);
		}
		if (previous == null) {
			throw new KeyExistsException("Key '" + key + "' already exists");
		}
		if (response.getGetResponses().get(0).getCount() == 0) {
			throw new KeyNotFoundException(key);
		}
		throw new KeyModifiedException("Key '" + key + "' was modified: its lastIndex is no longer " + previous.lastIndex());
	}

	@Override
	protected void doAtomicDelete(String key, KVPair previous) {
		ByteSequence etcdKey = this.layout.key(key);
		TxnResponse response = this.calls.await("atomicDelete", kv().txn()
			.If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.modRevision(previous.lastIndex())))
			.Then(Op.delete(etcdKey, DeleteOption.DEFAULT))
			.Else(Op.get(etcdKey, COUNT))
			.commit());
		if (response.isSucceeded()) {
			this.leases.deleted(etcdKey);
			return;
		}
		if (response.getGetResponses().get(0).getCount() == 0) {
			throw new KeyNotFoundException(key);
		}
		throw new KeyModifiedException("Key '" + key + "' was modified: its lastIndex is no longer " + previous.lastIndex());
	}

	@Override
	protected StoreLock doNewLock(String key, LockOptions options) {
		return new EtcdLock(this, key, options, this.client, this.calls, this.layout, this.leases);
	}

	@Override
	protected void doClose() {
		// Callers waiting for an answer end now; revoking the keep-alive leases still needs calls.
		this.calls.endInFlight();
		this.feed.close();
		try {
			this.leases.close();
		}
		finally {
			this.calls.close();
			if (this.ownsClient) {
				this.client.close();
			}
		}
	}

	// ---- Watches ----------------------------------------------------------------------

	@Override
	public Snapshot snapshot(String key, boolean tree) {
		GetResponse response = read(key, tree, 0);
		long revision = response.getHeader().getRevision();
		this.feed.ensureCovers(revision);
		return new Snapshot(byKey(response), revision);
	}

	/**
	 * Resume from {@code index}: the state at that revision and every change since, replayed
	 * by a watch from the revision after it, until the replay reaches the current state. etcd
	 * keeps this history until it is compacted; after that the watch starts with a resync.
	 */
	@Override
	public WatchSource.@Nullable History history(String key, boolean tree, long index) {
		GetResponse then;
		try {
			then = read(key, tree, index);
		}
		catch (StoreUnavailableException ex) {
			if (ex.getCause() != null && (EtcdCalls.isCompacted(ex.getCause()) || EtcdCalls.isFutureRevision(ex.getCause()))) {
				return null;
			}
			throw ex;
		}
		GetResponse now = read(key, tree, 0);
		long revision = now.getHeader().getRevision();
		this.feed.ensureCovers(revision);
		NavigableMap<String, KVPair> before = byKey(then);
		return new WatchSource.History(before, replay(key, tree, index, before, byKey(now)), revision);
	}

	/**
	 * The changes that lead from {@code before} (at {@code index}) to {@code after}, in order.
	 * Stops as soon as the replayed state is {@code after}: changes that cancel out after that
	 * point are left out, which a consumer cannot tell from their absence.
	 */
	private List<WatchSource.Change> replay(String key, boolean tree, long index, NavigableMap<String, KVPair> before,
			NavigableMap<String, KVPair> after) {
		if (before.equals(after)) {
			return List.of();
		}
		NavigableMap<String, KVPair> state = new TreeMap<>(before);
		List<WatchSource.Change> changes = new ArrayList<>();
		CompletableFuture<Void> done = new CompletableFuture<>();
		WatchOption.Builder option = WatchOption.builder().withRevision(index + 1);
		if (tree) {
			option.withRange(this.layout.rangeEnd(key));
		}
		ByteSequence start = tree ? this.layout.rangeStart(key) : this.layout.key(key);
		Watch.Watcher watcher = this.client.getWatchClient().watch(start, option.build(), Watch.listener((response) -> {
			synchronized (changes) {
				for (WatchEvent event : response.getEvents()) {
					String changed = this.layout.relative(event.getKeyValue().getKey());
					if (done.isDone() || changed == null) {
						continue;
					}
					long modRevision = event.getKeyValue().getModRevision();
					if (event.getEventType() == WatchEvent.EventType.PUT) {
						KVPair pair = pair(changed, event.getKeyValue());
						state.put(changed, pair);
						changes.add(new WatchSource.Change(changed, pair, modRevision));
					}
					else if (event.getEventType() == WatchEvent.EventType.DELETE) {
						state.remove(changed);
						changes.add(new WatchSource.Change(changed, null, modRevision));
					}
					if (state.equals(after)) {
						done.complete(null);
					}
				}
			}
		}, done::completeExceptionally));
		try {
			this.calls.await("watch history", done);
		}
		finally {
			watcher.close();
		}
		synchronized (changes) {
			return new ArrayList<>(changes);
		}
	}

	@Override
	public void unwatched(String key, boolean tree) {
		this.feed.stopIfUnwanted();
	}

	/** For tests: the jetcd client. */
	Client client() {
		return this.client;
	}

	// ---- Helpers ----------------------------------------------------------------------

	private KV kv() {
		return this.client.getKVClient();
	}

	private GetResponse read(String key, boolean tree, long revision) {
		GetOption.Builder option = GetOption.builder();
		if (revision > 0) {
			option.withRevision(revision);
		}
		if (tree) {
			return this.calls.await("watch read",
					kv().get(this.layout.rangeStart(key), option.withRange(this.layout.rangeEnd(key)).build()));
		}
		return this.calls.await("watch read", kv().get(this.layout.key(key), option.build()));
	}

	private NavigableMap<String, KVPair> byKey(GetResponse response) {
		NavigableMap<String, KVPair> pairs = new TreeMap<>();
		for (KVPair pair : pairs(response)) {
			pairs.put(pair.key(), pair);
		}
		return pairs;
	}

	private List<KVPair> pairs(GetResponse response) {
		List<KVPair> pairs = new ArrayList<>(response.getKvs().size());
		for (KeyValue kv : response.getKvs()) {
			String key = this.layout.relative(kv.getKey());
			if (key != null) {
				pairs.add(pair(key, kv));
			}
		}
		// etcd sorts by UTF-8 bytes; the contract sorts keys as strings.
		pairs.sort(BY_KEY);
		return pairs;
	}

	private static KVPair pair(String key, KeyValue kv) {
		return KVPair.wrap(key, kv.getValue().getBytes(), kv.getModRevision());
	}

	private static PutOption putOption(long lease) {
		return (lease != 0) ? PutOption.builder().withLeaseId(lease).build() : PutOption.DEFAULT;
	}

}
