package io.valkeyrie.store.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.AbstractStore;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.Keys;
import io.valkeyrie.store.internal.Secrets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * A {@link io.valkeyrie.store.Store} on Apache ZooKeeper, through a Curator client.
 * <p>
 * Each key is a znode below {@code <base-path>/kv/<namespace>} holding a small header and
 * the value, so a znode that only has children is not a key; {@code lastIndex} is the
 * znode's {@code mzxid}. TTL keys carry their TTL in the header and are deleted by the
 * stores that see them; keep-alive keys name an owner whose ephemeral znode lives as long as
 * the store's session, and are emptied by every store that sees the owner go. Locks
 * queue as ephemeral sequential znodes below {@code <base-path>/locks}. All watches of a
 * store share one persistent recursive watch; while any store watches, each write journals
 * its bytes next to the key so watchers see every write. See {@code docs/backends/zookeeper.md}.
 * <p>
 * Thread-safe; share one store per namespace.
 */
public final class ZookeeperStore extends AbstractStore {

	private static final Logger logger = LoggerFactory.getLogger(ZookeeperStore.class);

	/** The largest transaction deleteTree sends, in bytes of paths. */
	private static final int MULTI_BYTES = 256 * 1024;

	private final ZkSettings settings;

	private final ZkClient client;

	private final ZkLayout layout;

	private final boolean ownsClient;

	private final Expiries expiries;

	private final KeepAlives keepAlives;

	private final ChangeFeed feed;

	private final Journal journal;

	private final Znodes znodes;

	private final WatcherRegistry watchers;

	private final Versions versions;

	private final ConnectionStateListener connectionListener = this::connectionStateChanged;

	private final ConnectionStateListener reachabilityListener = this::reportReachability;

	/** Runs between a CAS's read and its conditional write (tests reproduce races with it). */
	volatile @Nullable Consumer<String> beforeConditionalWrite;

	private volatile long sessionId;

	private volatile int sessionTimeoutMillis;

	private ZookeeperStore(ZkSettings settings, CuratorFramework curator, boolean ownsClient) {
		super(ZkClient.BACKEND, settings.config);
		this.settings = settings;
		this.ownsClient = ownsClient;
		this.client = new ZkClient(curator, settings.restrictAcl, settings.config.requestTimeout().toNanos());
		this.layout = new ZkLayout(settings.basePath, settings.config.namespace());
		this.watchers = new WatcherRegistry(this.client, this.layout);
		this.versions = new Versions(settings.config.requestTimeout().toNanos());
		this.journal = new Journal(this.client, this.watchers, scheduler(), this::pruneAbove);
		this.znodes = new Znodes(this.client, this.layout, this.journal, settings.juteMaxBuffer, scheduler(),
				settings.config.requestTimeout().toMillis());
		this.expiries = new Expiries(this.client, this.layout, this.znodes, scheduler());
		this.keepAlives = new KeepAlives(this.client, this.layout, this.znodes, scheduler());
		this.feed = new ChangeFeed(this, this.client, this.layout, this.watchers, hub(), scheduler());
		this.sessionTimeoutMillis = (int) settings.sessionTimeout.toMillis();
		// First thing on close, before held locks are released: a frozen server must not keep
		// callers waiting for answers meanwhile.
		onClose(this.client::endInFlight);
	}

	/**
	 * Open a store with its own Curator client.
	 * @param config the configuration: endpoints ({@code host:port}), namespace, credentials
	 * (digest auth), TLS, timeouts, and the options of {@code docs/backends/zookeeper.md}
	 * @return the open store, connected
	 * @throws io.valkeyrie.store.StoreConfigurationException for invalid settings
	 * @throws StoreUnavailableException if no server answers within the connect timeout
	 */
	public static ZookeeperStore open(StoreConfig config) {
		ZkSettings settings = new ZkSettings(config, true);
		return start(new ZookeeperStore(settings, settings.newClient(), true));
	}

	/**
	 * Open a store on an existing Curator client, which the store uses but does not close.
	 * Its connection, session timeout, authentication and TLS settings apply; those of
	 * {@code config} are ignored. A client that is not started yet is started.
	 * @param client the client
	 * @param config namespace, timeouts, value size and options
	 * @return the open store
	 */
	public static ZookeeperStore open(CuratorFramework client, StoreConfig config) {
		return start(new ZookeeperStore(new ZkSettings(config, false), client, false));
	}

	private static ZookeeperStore start(ZookeeperStore store) {
		try {
			store.connect();
			return store;
		}
		catch (RuntimeException ex) {
			store.close();
			throw ex;
		}
	}

	private void connect() {
		CuratorFramework curator = this.client.curator();
		if (curator.getState() == CuratorFrameworkState.LATENT) {
			curator.start();
		}
		try {
			if (!curator.blockUntilConnected((int) config().connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
				// The client only logs a failed TLS handshake and tries again: find out what it was.
				throw new StoreUnavailableException(ZkClient.BACKEND, "could not connect to "
						+ curator.getZookeeperClient().getCurrentConnectionString() + " within " + BackendOptions.format(config().connectTimeout()),
						this.settings.tlsFailure(config().connectTimeout()));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreInterruptedException("Interrupted while connecting to ZooKeeper", ex);
		}
		ZooKeeper zk = this.client.handle();
		this.sessionId = zk.getSessionId();
		this.sessionTimeoutMillis = zk.getSessionTimeout();
		curator.getConnectionStateListenable().addListener(this.connectionListener);
		curator.getConnectionStateListenable().addListener(this.reachabilityListener);
		try {
			this.keepAlives.start(this.client.deadline());
			checkAccess(zk);
		}
		catch (KeeperException ex) {
			throw unexpected("", ex);
		}
		this.watchers.start();
		guardEpochs(new ZkEpochMarker(this.client, this.settings.basePath, this.layout.dataRoot()));
	}

	/**
	 * Read the deepest existing znode of the namespace's data root, the key-value root and the
	 * base path. Digest authentication accepts any password, so a wrong one shows only as
	 * {@code NoAuth} where the base path's ACL names the user: here, while the store opens,
	 * rather than at its first call.
	 */
	private void checkAccess(ZooKeeper zk) throws KeeperException {
		long deadline = this.client.deadline();
		for (String path : List.of(this.layout.dataRoot(), this.layout.kvRoot(), this.settings.basePath)) {
			if (this.client.await(this.client.getDataAsync(zk, path), deadline) != null) {
				return;
			}
		}
	}

	private void connectionStateChanged(CuratorFramework curator, ConnectionState state) {
		if (state != ConnectionState.RECONNECTED || isClosed()) {
			return;
		}
		ZooKeeper zk;
		try {
			zk = this.client.handle();
		}
		catch (StoreUnavailableException ex) {
			// Gone again already; the next RECONNECTED does this.
			return;
		}
		boolean newSession = zk.getSessionId() != this.sessionId;
		this.sessionId = zk.getSessionId();
		this.sessionTimeoutMillis = zk.getSessionTimeout();
		String reason = newSession ? "the ZooKeeper session expired; reconnected with a new session"
				: "reconnected to ZooKeeper";
		// A plain reconnect is the end of the outage Reachability reports; a new session is news.
		if (newSession) {
			logger.info("{} store (namespace '{}'): {}", ZkClient.BACKEND, namespace(), reason);
		}
		try {
			// Off Curator's connection-state thread: these calls wait for answers.
			scheduler().execute(() -> {
				this.keepAlives.reconnected(newSession);
				// Events of the gap are lost: read the registry again.
				this.watchers.start();
				this.feed.reconnected(reason);
				// A new session may mean a server that lost its data: the hub checks the epoch marker.
				hub().reconnected();
			});
		}
		catch (RejectedExecutionException ex) {
			// The store is closing.
		}
	}

	/** Curator's view of the connection, for the one WARN and one INFO of an outage. */
	private void reportReachability(CuratorFramework curator, ConnectionState state) {
		if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
			reachability().unreachable("connection " + state.name().toLowerCase(java.util.Locale.ROOT));
		}
		else if (state.isConnected()) {
			reachability().reachable();
		}
	}

	// ---- Store ------------------------------------------------------------------------

	/**
	 * The negotiated session timeout: keep-alive keys and locks live as long as the session,
	 * so a shorter TTL could not be honoured.
	 */
	@Override
	public Duration minimumTtl() {
		return Duration.ofMillis(this.sessionTimeoutMillis);
	}

	@Override
	protected String minimumTtlReason() {
		return "keep-alive keys and locks live as long as the ZooKeeper session, whose negotiated timeout is "
				+ this.sessionTimeoutMillis + " ms (option '" + ZkSettings.SESSION_TIMEOUT
				+ "'; the server clamps it to [minSessionTimeout, maxSessionTimeout], by default 2 to 20 times its tickTime)";
	}

	/**
	 * One round trip to the server, then what the client knows: ZooKeeper has no request
	 * that reports the server's version.
	 */
	@Override
	protected Map<String, Object> doServerInfo() {
		long deadline = this.client.deadline();
		ZooKeeper zk = this.client.zk(deadline);
		try {
			this.client.await(this.client.getDataAsync(zk, this.layout.kvRoot()), deadline);
		}
		catch (KeeperException ex) {
			throw unexpected("", ex);
		}
		Map<String, Object> info = new LinkedHashMap<>();
		info.put("connectString", Secrets.endpoint(this.client.curator().getZookeeperClient().getCurrentConnectionString()));
		info.put("state", zk.getState().name());
		info.put("sessionTimeoutMillis", zk.getSessionTimeout());
		info.put("basePath", this.settings.basePath);
		return info;
	}

	/** The store's Curator client. */
	public CuratorFramework curator() {
		return this.client.curator();
	}

	/** The znode a key lives at (for tools that read the tree directly). */
	public String pathOf(String key) {
		return this.layout.path(Keys.key(key));
	}

	@Override
	protected @Nullable KVPair doGet(String key, ReadOptions options) {
		try {
			ZkClient.Node node = this.client.getData(this.layout.path(key), options.consistent(), this.client.deadline());
			KVPair pair = pairOf(key, node);
			// Only what the leader had at the read: a lagging server's answer may be older than its arrival.
			if (pair != null && options.consistent() && Envelope.isPlain(node.data())) {
				this.versions.saw(key, node.stat());
			}
			return pair;
		}
		catch (KeeperException ex) {
			throw unexpected(key, ex);
		}
	}

	/** The pair a znode holds, {@code null} for a directory or an expired key; tracks TTL keys. */
	@Nullable KVPair pairOf(String key, ZkClient.@Nullable Node node) {
		if (node == null) {
			return null;
		}
		Envelope envelope = Envelope.decode(node.data());
		if (envelope == null || (envelope.owner() != 0 && !this.keepAlives.isLive(envelope.owner()))) {
			return null;
		}
		if (envelope.hasTtl()) {
			this.expiries.track(key, node.stat(), envelope);
			if (envelope.isExpired(node.stat(), System.currentTimeMillis())) {
				return null;
			}
		}
		return KVPair.wrap(key, envelope.value(), node.stat().getMzxid());
	}

	@Override
	protected void doPut(String key, byte[] value, WriteOptions options) {
		String path = this.layout.path(key);
		long deadline = this.client.deadline();
		try {
			byte[] data = encode(key, value, options, deadline);
			Stat stat = null;
			while (stat == null) {
				try {
					stat = this.znodes.update(path, data, -1, deadline);
				}
				catch (KeeperException.NoNodeException ex) {
					try {
						stat = this.znodes.create(path, data, CreateMode.PERSISTENT, deadline);
					}
					catch (KeeperException.NodeExistsException raced) {
						// Created meanwhile: overwrite it on the next round.
					}
				}
			}
			written(key, value, options, stat, data);
		}
		catch (KeeperException ex) {
			throw unexpected(key, ex);
		}
	}

	/** The bytes of a write; a keep-alive key is first indexed for this store's owner. */
	private byte[] encode(String key, byte[] value, WriteOptions options, long deadline) throws KeeperException {
		if (!options.keepAlive()) {
			return Envelope.encode(value, options.ttl());
		}
		long owner = this.keepAlives.owner(deadline);
		this.keepAlives.index(key, owner, deadline);
		return Envelope.encodeKeepAlive(value, owner);
	}

	/** Track what a write left: a keep-alive key to write again after a session expiry, or a TTL. */
	private void written(String key, byte[] value, WriteOptions options, Stat stat, byte[] data) {
		if (options.keepAlive()) {
			this.versions.forget(key);
			this.keepAlives.remember(key, value, stat.getMzxid());
		}
		else {
			this.keepAlives.forget(key);
			if (options.ttl() != null) {
				this.versions.forget(key);
				trackTtl(key, stat, data);
			}
			else {
				this.versions.saw(key, stat);
			}
		}
	}

	private void trackTtl(String key, @Nullable Stat stat, byte[] data) {
		if (stat != null) {
			Envelope envelope = Envelope.decode(data);
			if (envelope != null && envelope.hasTtl()) {
				this.expiries.track(key, stat, envelope);
			}
		}
	}

	@Override
	protected boolean doDelete(String key) {
		String path = this.layout.path(key);
		long deadline = this.client.deadline();
		try {
			for (;;) {
				ZkClient.Node node = this.client.getData(path, false, deadline);
				KVPair pair = pairOf(key, node);
				if (pair == null) {
					return false;
				}
				try {
					this.znodes.removeKey(path, node.stat(), deadline);
				}
				catch (KeeperException.BadVersionException ex) {
					continue;
				}
				catch (KeeperException.NoNodeException ex) {
					return false;
				}
				this.keepAlives.forget(key);
				return true;
			}
		}
		catch (KeeperException ex) {
			throw unexpected(key, ex);
		}
	}

	@Override
	protected @Nullable List<KVPair> doList(String dir, ReadOptions options) {
		Subtree tree = walk(dir, options.consistent(), this.client.deadline());
		if (tree == null || (tree.pairs.isEmpty() && !tree.dirIsKey)) {
			return null;
		}
		return new ArrayList<>(tree.pairs.values());
	}

	/** A journal entry was deleted: its directory may be empty now. */
	private void pruneAbove(String path) {
		this.znodes.prune(path);
	}

	private @Nullable Subtree walk(String dir, boolean consistent, long deadline) {
		try {
			Subtree tree = Subtree.read(this.client, this.layout, this.journal, this::pairOf, dir, consistent, deadline);
			if (tree != null) {
				long now = System.currentTimeMillis();
				tree.stats.forEach((path, stat) -> {
					if (!tree.holding.contains(path)) {
						this.znodes.sweep(path, stat, now);
					}
				});
			}
			return tree;
		}
		catch (KeeperException ex) {
			throw unexpected(dir, ex);
		}
	}

	@Override
	protected boolean doDeleteTree(String dir) {
		long deadline = this.client.deadline();
		boolean found = false;
		for (int attempt = 0;; attempt++) {
			Subtree tree = walk(dir, true, deadline);
			if (tree == null) {
				return found;
			}
			found |= tree.dirIsKey || !tree.pairs.isEmpty();
			List<String> paths = new ArrayList<>(tree.paths);
			Collections.reverse(paths);
			try {
				// Children before parents, in transactions that stay well inside jute.maxbuffer.
				// Keys are emptied like a delete (journaled, reclaimed later); znodes that never
				// held a key are deleted unless an emptied key remains below them.
				Set<String> keep = new HashSet<>();
				List<Op> ops = new ArrayList<>();
				int bytes = 0;
				for (String path : paths) {
					Stat stat = tree.stats.get(path);
					if (stat == null) {
						ops.add(Op.delete(path, -1));
					}
					else if (tree.holding.contains(path)) {
						ops.add(this.journal.first(path, Envelope.DELETED, false));
						ops.add(Op.setData(path, Envelope.DIRECTORY, stat.getVersion()));
						keep.add(parentOf(path));
					}
					else if (stat.getVersion() > 0 || keep.contains(path)) {
						keep.add(parentOf(path));
					}
					else {
						ops.add(Op.delete(path, stat.getVersion()));
					}
					bytes += path.length() * 6 + 32;
					if (bytes > MULTI_BYTES) {
						emptyAll(ops, deadline);
						ops = new ArrayList<>();
						bytes = 0;
					}
				}
				if (!ops.isEmpty()) {
					emptyAll(ops, deadline);
				}
				this.keepAlives.forgetAtOrBelow(dir);
				this.znodes.prune(this.layout.path(dir));
				return found;
			}
			catch (KeeperException.NotEmptyException | KeeperException.NoNodeException
					| KeeperException.BadVersionException ex) {
				// Written or deleted concurrently, or a store started watching (then the next round journals): look again.
				this.journal.guardFailed(ex.getPath());
				if (attempt >= 10) {
					throw unexpected(dir, ex);
				}
			}
			catch (KeeperException ex) {
				throw unexpected(dir, ex);
			}
		}
	}

	/** Run one transaction of {@link #doDeleteTree}, then track its journal entries and emptied znodes. */
	private void emptyAll(List<Op> ops, long deadline) throws KeeperException {
		List<OpResult> results = this.client.multi(ops, deadline);
		for (int i = 0; i < ops.size(); i++) {
			if (results.get(i) instanceof OpResult.CreateResult) {
				this.journal.written(results.get(i));
			}
			else if (results.get(i) instanceof OpResult.SetDataResult set) {
				this.znodes.emptied(ops.get(i).getPath(), set.getStat().getVersion());
			}
		}
	}

	private static String parentOf(String path) {
		return path.substring(0, path.lastIndexOf('/'));
	}

	@Override
	protected KVPair doAtomicPut(String key, byte[] value, @Nullable KVPair previous, WriteOptions options) {
		String path = this.layout.path(key);
		long deadline = this.client.deadline();
		try {
			byte[] data = encode(key, value, options, deadline);
			Integer version = (previous != null) ? this.versions.versionAt(key, previous.lastIndex()) : null;
			if (version != null) {
				// This store just saw the version that goes with previous.lastIndex: no read needed.
				raceHook(key);
				Stat stat;
				try {
					stat = this.znodes.update(path, data, version, deadline);
				}
				catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
					throw conflict(key, path, previous, deadline);
				}
				written(key, value, options, stat, data);
				return KVPair.of(key, value, stat.getMzxid());
			}
			for (;;) {
				ZkClient.Node node = this.client.getData(path, false, deadline);
				KVPair current = pairOf(key, node);
				if (previous == null && current != null) {
					throw new KeyExistsException("'" + key + "' already exists (lastIndex " + current.lastIndex() + ")");
				}
				if (previous != null) {
					if (current == null) {
						throw new KeyNotFoundException(key);
					}
					if (current.lastIndex() != previous.lastIndex()) {
						throw modified(key, current.lastIndex(), previous.lastIndex());
					}
				}
				raceHook(key);
				Stat stat;
				try {
					stat = (node == null) ? this.znodes.create(path, data, CreateMode.PERSISTENT, deadline)
							: this.znodes.update(path, data, node.stat().getVersion(), deadline);
				}
				catch (KeeperException.NodeExistsException | KeeperException.BadVersionException
						| KeeperException.NoNodeException ex) {
					if (previous == null) {
						continue;
					}
					throw conflict(key, path, previous, deadline);
				}
				written(key, value, options, stat, data);
				return KVPair.of(key, value, stat.getMzxid());
			}
		}
		catch (KeeperException ex) {
			throw unexpected(key, ex);
		}
	}

	/** Why a conditional write on {@code previous} was refused: the key is gone, or was modified. */
	private StoreException conflict(String key, String path, KVPair previous, long deadline) throws KeeperException {
		KVPair after = pairOf(key, this.client.getData(path, false, deadline));
		if (after == null) {
			return new KeyNotFoundException(key);
		}
		return modified(key, after.lastIndex(), previous.lastIndex());
	}

	private void raceHook(String key) {
		Consumer<String> hook = this.beforeConditionalWrite;
		if (hook != null) {
			hook.accept(key);
		}
	}

	@Override
	protected void doAtomicDelete(String key, KVPair previous) {
		String path = this.layout.path(key);
		long deadline = this.client.deadline();
		try {
			ZkClient.Node node = this.client.getData(path, false, deadline);
			KVPair current = pairOf(key, node);
			if (current == null) {
				throw new KeyNotFoundException(key);
			}
			if (current.lastIndex() != previous.lastIndex()) {
				throw modified(key, current.lastIndex(), previous.lastIndex());
			}
			raceHook(key);
			try {
				this.znodes.removeKey(path, node.stat(), deadline);
			}
			catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
				throw conflict(key, path, previous, deadline);
			}
			this.keepAlives.forget(key);
		}
		catch (KeeperException ex) {
			throw unexpected(key, ex);
		}
	}

	@Override
	protected StoreLock doNewLock(String key, LockOptions options) {
		return new ZookeeperLock(this, this.client, this.layout.lockPath(key), key, options,
				this.settings.lockLostOnSuspend);
	}

	@Override
	public void watched(String key, boolean tree) {
		this.feed.start();
	}

	@Override
	protected void doClose() {
		// Callers waiting for an answer end now; closing keep-alives and watchers may still need calls.
		this.client.endInFlight();
		this.feed.close();
		this.expiries.close();
		this.journal.close();
		this.znodes.close();
		CuratorFramework curator = this.client.curator();
		curator.getConnectionStateListenable().removeListener(this.connectionListener);
		curator.getConnectionStateListenable().removeListener(this.reachabilityListener);
		this.keepAlives.close(this.ownsClient);
		this.watchers.close(this.ownsClient);
		// Calls that started meanwhile end now too, and later ones at once.
		this.client.close();
		if (this.ownsClient) {
			closeWithinTimeLeft(curator);
		}
	}

	/**
	 * Close Curator within what is left of the close's request timeout
	 * ({@link #closeTimeLeft()}, after the held locks' releases). ZooKeeper's close asks the server to end
	 * the session and waits for its answer with no bound of its own (the client's request
	 * timeout is off): a silent server would hold {@code close()} until the connection is
	 * declared lost, two thirds of the session timeout later. An interrupt ends that wait; the
	 * client then disconnects at once and the server expires the session by itself.
	 */
	private void closeWithinTimeLeft(CuratorFramework curator) {
		Thread closing = Thread.currentThread();
		// The caller's interrupt must not cut the session's end short; it is set again afterwards.
		boolean interruptedBefore = Thread.interrupted();
		AtomicBoolean done = new AtomicBoolean();
		ScheduledFuture<?> bound = scheduler().schedule(() -> {
			if (done.compareAndSet(false, true)) {
				closing.interrupt();
			}
		}, closeTimeLeft().toNanos(), TimeUnit.NANOSECONDS);
		try {
			curator.close();
		}
		finally {
			bound.cancel(false);
			if (!done.compareAndSet(false, true)) {
				// Our interrupt, possibly not consumed by the wait it was meant for: not the caller's.
				Thread.interrupted();
			}
			if (interruptedBefore) {
				closing.interrupt();
			}
		}
	}

	private static KeyModifiedException modified(String key, long actual, long expected) {
		return new KeyModifiedException("'" + key + "' was modified: its lastIndex is " + actual + ", expected " + expected);
	}

	private static StoreException unexpected(String key, KeeperException ex) {
		return new StoreException("ZooKeeper failed on '" + key + "': " + ex.getMessage(), ex);
	}

}
