package io.valkeyrie.store.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

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
import io.valkeyrie.store.internal.Keys;
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
 * stores that see them; keep-alive keys are ephemeral znodes of the store's session. Locks
 * queue as ephemeral sequential znodes below {@code <base-path>/locks}. All watches of a
 * store share one persistent recursive watch. See {@code docs/backends/zookeeper.md}.
 * <p>
 * Thread-safe; share one store per namespace.
 */
public final class ZookeeperStore extends AbstractStore {

	private static final Logger logger = LoggerFactory.getLogger(ZookeeperStore.class);

	/** The largest transaction deleteTree sends, in bytes of paths. */
	private static final int MULTI_BYTES = 256 * 1024;

	/** Room for the paths and headers of a journaled write's transaction. */
	private static final int JOURNAL_OVERHEAD = 16 * 1024;

	private final ZkSettings settings;

	private final ZkClient client;

	private final ZkLayout layout;

	private final boolean ownsClient;

	private final Expiries expiries;

	private final KeepAlives keepAlives;

	private final ChangeFeed feed;

	private final Journal journal;

	private final ConnectionStateListener connectionListener = this::connectionStateChanged;

	private volatile long sessionId;

	private volatile int sessionTimeoutMillis;

	private ZookeeperStore(ZkSettings settings, CuratorFramework curator, boolean ownsClient) {
		super(ZkClient.BACKEND, settings.config);
		this.settings = settings;
		this.ownsClient = ownsClient;
		this.client = new ZkClient(curator, settings.restrictAcl, settings.config.requestTimeout().toNanos());
		this.layout = new ZkLayout(settings.basePath, settings.config.namespace());
		this.expiries = new Expiries(this.client, this.layout, scheduler());
		this.keepAlives = new KeepAlives(this.client, this.layout);
		this.journal = new Journal(this.client, scheduler(), this::prune);
		this.feed = new ChangeFeed(this, this.client, this.layout, hub(), scheduler());
		this.sessionTimeoutMillis = (int) settings.sessionTimeout.toMillis();
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
				throw new StoreUnavailableException(ZkClient.BACKEND, "could not connect to "
						+ curator.getZookeeperClient().getCurrentConnectionString() + " within " + config().connectTimeout(), null);
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
		logger.info("{} store (namespace '{}'): {}", ZkClient.BACKEND, namespace(), reason);
		try {
			// Off Curator's connection-state thread: these calls wait for answers.
			scheduler().execute(() -> {
				if (newSession) {
					this.keepAlives.recreate();
				}
				this.feed.reconnected(reason);
			});
		}
		catch (RejectedExecutionException ex) {
			// The store is closing.
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
			return pairOf(key, this.client.getData(this.layout.path(key), options.consistent(), this.client.deadline()));
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
		if (envelope == null) {
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
			if (options.keepAlive()) {
				writeKeepAlive(key, path, Envelope.encode(value, null), null, deadline);
				return;
			}
			byte[] data = Envelope.encode(value, options.ttl());
			this.keepAlives.forget(key);
			Stat stat = null;
			while (stat == null) {
				try {
					stat = update(path, data, -1, deadline);
					if (stat.getEphemeralOwner() != 0) {
						// It was a keep-alive key: a plain put makes it permanent.
						stat = replace(path, data, stat.getVersion(), CreateMode.PERSISTENT, deadline);
					}
				}
				catch (KeeperException.NoNodeException ex) {
					try {
						stat = create(path, data, CreateMode.PERSISTENT, deadline);
					}
					catch (KeeperException.NodeExistsException raced) {
						// Created meanwhile: overwrite it on the next round.
					}
				}
			}
			trackTtl(key, stat, data);
		}
		catch (KeeperException ex) {
			throw unexpected(key, ex);
		}
	}

	/**
	 * Write a keep-alive key as an ephemeral znode of this session; {@code previous} as in
	 * atomicPut ({@code null} means unconditional here, see the callers).
	 */
	private Stat writeKeepAlive(String key, String path, byte[] data, @Nullable Stat expected, long deadline)
			throws KeeperException {
		for (;;) {
			ZkClient.Node node = this.client.getData(path, false, deadline);
			Stat stat;
			try {
				if (node == null) {
					stat = create(path, data, CreateMode.EPHEMERAL, deadline);
				}
				else if (node.stat().getEphemeralOwner() == this.client.handle().getSessionId()) {
					stat = update(path, data, node.stat().getVersion(), deadline);
				}
				else {
					stat = replace(path, data, node.stat().getVersion(), CreateMode.EPHEMERAL, deadline);
				}
			}
			catch (KeeperException.NodeExistsException | KeeperException.BadVersionException
					| KeeperException.NoNodeException ex) {
				continue;
			}
			if (stat != null) {
				this.keepAlives.remember(key, data);
				return stat;
			}
		}
	}

	/** Update a key's znode (conditional on {@code version} unless -1), journaled; the new stat. */
	private Stat update(String path, byte[] data, int version, long deadline) throws KeeperException {
		return journaled(path, data, deadline, Op.setData(path, data, version));
	}

	/** Create a key's znode and its missing parents, journaled; the new stat. */
	private Stat create(String path, byte[] data, CreateMode mode, long deadline) throws KeeperException {
		for (int attempt = 0;; attempt++) {
			try {
				return journaled(path, data, deadline, Op.create(path, Envelope.DIRECTORY, this.client.acl(), mode),
						Op.setData(path, data, -1));
			}
			catch (KeeperException.NoNodeException ex) {
				if (attempt >= 5) {
					throw ex;
				}
				this.client.createParents(path, CreateMode.PERSISTENT, deadline);
			}
		}
	}

	/**
	 * Swap a znode for one of another mode (persistent/ephemeral) in one transaction;
	 * {@code null} if it changed meanwhile.
	 */
	private @Nullable Stat replace(String path, byte[] data, int version, CreateMode mode, long deadline)
			throws KeeperException {
		try {
			return journaled(path, data, deadline, Op.delete(path, version),
					Op.create(path, Envelope.DIRECTORY, this.client.acl(), mode), Op.setData(path, data, -1));
		}
		catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
			return null;
		}
		catch (KeeperException.NotEmptyException ex) {
			throw new StoreException("'" + this.layout.keyOf(path) + "' has keys below it, so it cannot become a "
					+ "keep-alive key: ZooKeeper keeps those as ephemeral znodes, which cannot have children", ex);
		}
	}

	/**
	 * Run {@code ops} (ending with a setData, whose stat is the answer) in one transaction
	 * that first writes the {@link Journal} entry of the new bytes.
	 */
	private Stat journaled(String path, byte[] data, long deadline, Op... ops) throws KeeperException {
		List<Op> all = new ArrayList<>(ops.length + 1);
		// Too large to travel twice within jute.maxbuffer: an empty entry says "read the key".
		boolean fits = 2L * data.length + JOURNAL_OVERHEAD <= this.settings.juteMaxBuffer;
		all.add(this.journal.entry(path, fits ? data : Envelope.DIRECTORY));
		all.addAll(List.of(ops));
		List<OpResult> results = this.client.multi(all, deadline);
		this.journal.written(((OpResult.CreateResult) results.get(0)).getPath());
		return ((OpResult.SetDataResult) results.get(results.size() - 1)).getStat();
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
					removeKey(path, node.stat(), deadline);
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

	/** Delete a key's znode, or only its value when keys below it remain. */
	private void removeKey(String path, Stat stat, long deadline) throws KeeperException {
		if (stat.getNumChildren() == 0) {
			try {
				this.client.delete(path, stat.getVersion(), deadline);
				prune(path);
				return;
			}
			catch (KeeperException.NotEmptyException ex) {
				// A key appeared below it meanwhile: keep the znode, drop the value.
			}
		}
		this.client.setData(path, Envelope.DIRECTORY, stat.getVersion(), deadline);
	}

	/** Remove directory znodes left empty above a deleted one, asynchronously and only while empty. */
	private void prune(String path) {
		int slash = path.lastIndexOf('/');
		String parent = path.substring(0, slash);
		if (parent.length() <= this.settings.basePath.length() + "/kv".length()) {
			return;
		}
		try {
			ZooKeeper zk = this.client.handle();
			zk.getData(parent, false, (rc, p, ctx, data, stat) -> {
				if (rc == KeeperException.Code.OK.intValue() && (data == null || data.length == 0)
						&& stat.getNumChildren() == 0) {
					zk.delete(parent, stat.getVersion(), (rc2, p2, ctx2) -> {
						if (rc2 == KeeperException.Code.OK.intValue()) {
							prune(parent);
						}
					}, null);
				}
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: an empty directory znode is invisible and harmless.
		}
	}

	@Override
	protected @Nullable List<KVPair> doList(String dir, ReadOptions options) {
		Tree tree = walk(dir, options.consistent(), this.client.deadline());
		if (tree == null || (tree.pairs.isEmpty() && !tree.dirIsKey)) {
			return null;
		}
		return new ArrayList<>(tree.pairs.values());
	}

	/** What is at and below a directory: its live pairs and every znode, parents before children. */
	private static final class Tree {

		final TreeMap<String, KVPair> pairs = new TreeMap<>();

		final List<String> paths = new ArrayList<>();

		boolean dirIsKey;

	}

	private @Nullable Tree walk(String dir, boolean consistent, long deadline) {
		String root = this.layout.path(dir);
		try {
			ZooKeeper zk = this.client.zk(deadline);
			if (consistent) {
				this.client.sync(zk, root);
			}
			ZkClient.Node rootNode = this.client.await(this.client.getDataAsync(zk, root), deadline);
			if (rootNode == null) {
				return null;
			}
			Tree tree = new Tree();
			tree.paths.add(root);
			tree.dirIsKey = !dir.isEmpty() && pairOf(dir, rootNode) != null;
			List<String> level = (rootNode.stat().getNumChildren() > 0) ? List.of(root) : List.of();
			while (!level.isEmpty()) {
				// Pipelined: every request of a level is in flight at once.
				List<CompletableFuture<@Nullable List<String>>> children = new ArrayList<>(level.size());
				for (String path : level) {
					children.add(this.client.getChildrenAsync(zk, path));
				}
				List<String> childPaths = new ArrayList<>();
				long now = System.currentTimeMillis();
				for (int i = 0; i < level.size(); i++) {
					List<String> names = this.client.await(children.get(i), deadline);
					if (names != null) {
						for (String name : names) {
							String path = level.get(i) + "/" + name;
							if (!Journal.isEntry(name)) {
								childPaths.add(path);
							}
							else if (Journal.isStale(name, now)) {
								this.journal.delete(path);
							}
							else {
								tree.paths.add(path);
							}
						}
					}
				}
				List<CompletableFuture<ZkClient.@Nullable Node>> nodes = new ArrayList<>(childPaths.size());
				for (String path : childPaths) {
					nodes.add(this.client.getDataAsync(zk, path));
				}
				List<String> next = new ArrayList<>();
				for (int i = 0; i < childPaths.size(); i++) {
					ZkClient.Node node = this.client.await(nodes.get(i), deadline);
					if (node == null) {
						continue;
					}
					String path = childPaths.get(i);
					tree.paths.add(path);
					String key = this.layout.keyOf(path);
					KVPair pair = (key != null) ? pairOf(key, node) : null;
					if (pair != null) {
						tree.pairs.put(key, pair);
					}
					if (node.stat().getNumChildren() > 0) {
						next.add(path);
					}
				}
				level = next;
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
			Tree tree = walk(dir, true, deadline);
			if (tree == null) {
				return found;
			}
			found |= tree.dirIsKey || !tree.pairs.isEmpty();
			List<String> paths = new ArrayList<>(tree.paths);
			Collections.reverse(paths);
			try {
				// Children before parents, in transactions that stay well inside jute.maxbuffer.
				List<Op> ops = new ArrayList<>();
				int bytes = 0;
				for (String path : paths) {
					ops.add(Op.delete(path, -1));
					bytes += path.length() * 3 + 16;
					if (bytes > MULTI_BYTES) {
						this.client.multi(ops, deadline);
						ops = new ArrayList<>();
						bytes = 0;
					}
				}
				if (!ops.isEmpty()) {
					this.client.multi(ops, deadline);
				}
				this.keepAlives.forgetAtOrBelow(dir);
				prune(this.layout.path(dir));
				return found;
			}
			catch (KeeperException.NotEmptyException | KeeperException.NoNodeException ex) {
				// Written or deleted concurrently: look again.
				if (attempt >= 10) {
					throw unexpected(dir, ex);
				}
			}
			catch (KeeperException ex) {
				throw unexpected(dir, ex);
			}
		}
	}

	@Override
	protected KVPair doAtomicPut(String key, byte[] value, @Nullable KVPair previous, WriteOptions options) {
		String path = this.layout.path(key);
		long deadline = this.client.deadline();
		byte[] data = Envelope.encode(value, options.keepAlive() ? null : options.ttl());
		CreateMode mode = options.keepAlive() ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT;
		try {
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
				Stat stat;
				try {
					if (node == null) {
						stat = create(path, data, mode, deadline);
					}
					else if (sameMode(node.stat(), mode)) {
						stat = update(path, data, node.stat().getVersion(), deadline);
					}
					else {
						stat = replace(path, data, node.stat().getVersion(), mode, deadline);
						if (stat == null) {
							throw new KeeperException.BadVersionException(path);
						}
					}
				}
				catch (KeeperException.NodeExistsException | KeeperException.BadVersionException
						| KeeperException.NoNodeException ex) {
					if (previous == null) {
						continue;
					}
					ZkClient.Node now = this.client.getData(path, false, deadline);
					KVPair after = pairOf(key, now);
					if (after == null) {
						throw new KeyNotFoundException(key);
					}
					throw modified(key, after.lastIndex(), previous.lastIndex());
				}
				if (options.keepAlive()) {
					this.keepAlives.remember(key, data);
				}
				else {
					this.keepAlives.forget(key);
					trackTtl(key, stat, data);
				}
				return KVPair.of(key, value, stat.getMzxid());
			}
		}
		catch (KeeperException ex) {
			throw unexpected(key, ex);
		}
	}

	private boolean sameMode(Stat stat, CreateMode mode) {
		long owner = stat.getEphemeralOwner();
		return (mode == CreateMode.EPHEMERAL) ? owner == this.client.handle().getSessionId() : owner == 0;
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
			try {
				removeKey(path, node.stat(), deadline);
			}
			catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
				KVPair after = pairOf(key, this.client.getData(path, false, deadline));
				if (after == null) {
					throw new KeyNotFoundException(key);
				}
				throw modified(key, after.lastIndex(), previous.lastIndex());
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
		this.feed.close();
		this.expiries.close();
		this.journal.close();
		CuratorFramework curator = this.client.curator();
		curator.getConnectionStateListenable().removeListener(this.connectionListener);
		if (this.ownsClient) {
			curator.close();
		}
		else {
			this.keepAlives.deleteAll();
		}
	}

	private static KeyModifiedException modified(String key, long actual, long expected) {
		return new KeyModifiedException("'" + key + "' was modified: its lastIndex is " + actual + ", expected " + expected);
	}

	private static StoreException unexpected(String key, KeeperException ex) {
		if (ex instanceof KeeperException.NoChildrenForEphemeralsException) {
			return new StoreException("Cannot write below '" + key + "': an ancestor is a keep-alive key, and ZooKeeper "
					+ "keeps those as ephemeral znodes, which cannot have children", ex);
		}
		return new StoreException("ZooKeeper failed on '" + key + "': " + ex.getMessage(), ex);
	}

}
