package io.valkeyrie.store.zookeeper;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.internal.Keys;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Keep-alive keys. Their znodes are ordinary persistent znodes (so keys can live below
 * them) whose header names an <em>owner</em>: a random id per store and session, with an
 * ephemeral znode {@code <base>/owners/<id>} that lives as long as the session. Each owner
 * keeps an index of its keys ({@code <base>/kept/<id>/<path>}). Every store watches the
 * owners (one persistent recursive watch) and keeps the set of live ones: reads treat a
 * key whose owner is gone as absent at once, and every store that sees an owner znode
 * disappear (its store closed, crashed or lost its session) empties that owner's keys with
 * versioned writes, so watchers get delete events and a rewrite always wins. A store whose
 * session expired while it stays open takes a new owner id and writes its keys again.
 */
final class KeepAlives implements Watcher {

	private static final Logger logger = LoggerFactory.getLogger(KeepAlives.class);

	private static final SecureRandom random = new SecureRandom();

	private final ZkClient client;

	private final ZkLayout layout;

	private final Znodes znodes;

	private final ScheduledExecutorService scheduler;

	/** The owners whose znodes exist, as this session last saw them (updated in event order). */
	private final Set<Long> live = ConcurrentHashMap.newKeySet();

	/** The owners being cleaned up by this store. */
	private final Set<Long> cleaning = ConcurrentHashMap.newKeySet();

	/** The keep-alive keys this store wrote: their value and the mzxid of the write. */
	private final Map<String, Kept> keys = new ConcurrentHashMap<>();

	/** The keys indexed for the current owner. */
	private final Set<String> indexed = ConcurrentHashMap.newKeySet();

	/** This store's owner in its current session, {@code null} before the first keep-alive write. */
	private volatile @Nullable Owner current;

	private volatile boolean closed;

	private record Kept(byte[] value, long mzxid) {
	}

	private record Owner(long id, long session) {
	}

	KeepAlives(ZkClient client, ZkLayout layout, Znodes znodes, ScheduledExecutorService scheduler) {
		this.client = client;
		this.layout = layout;
		this.znodes = znodes;
		this.scheduler = scheduler;
	}

	/** Watch the owners and learn which are alive; clean up after the dead ones. */
	void start(long deadline) throws KeeperException {
		ZooKeeper zk = this.client.zk(deadline);
		CompletableFuture<Boolean> added = this.client.watchRecursivelyAsync(zk, this.layout.ownersRoot(), this);
		// Sent after the watch, answered on the event thread in order with the events: the set
		// is replaced exactly at the point the listing was read.
		CompletableFuture<Boolean> listed = new CompletableFuture<>();
		zk.getChildren(this.layout.ownersRoot(), false, (rc, path, ctx, children) -> {
			if (rc != Code.OK.intValue() && rc != Code.NONODE.intValue()) {
				listed.completeExceptionally(KeeperException.create(Code.get(rc), path));
				return;
			}
			Set<Long> owners = new HashSet<>();
			if (children != null) {
				children.forEach((name) -> owners.add(ZkLayout.ownerOf(name)));
			}
			Owner own = this.current;
			if (own != null && zk.getSessionId() == own.session()) {
				owners.add(own.id());
			}
			this.live.stream().filter((id) -> !owners.contains(id)).forEach(this::cleanUpLater);
			this.live.retainAll(owners);
			this.live.addAll(owners);
			listed.complete(Boolean.TRUE);
		}, null);
		this.client.await(added, deadline);
		this.client.await(listed, deadline);
		// An owner's index is written after its znode: an index whose owner is not live belongs to a dead one.
		List<String> indexes = this.client.await(this.client.getChildrenAsync(zk, this.layout.keptRoot()), deadline);
		if (indexes != null) {
			for (String name : indexes) {
				long id = ZkLayout.ownerOf(name);
				if (id != 0 && !this.live.contains(id)) {
					cleanUpLater(id);
				}
			}
		}
	}

	/** Whether the keys of {@code owner} are alive. */
	boolean isLive(long owner) {
		return this.live.contains(owner);
	}

	/** The owner id of this store's session, creating its znode the first time. */
	synchronized long owner(long deadline) throws KeeperException {
		long session = this.client.zk(deadline).getSessionId();
		Owner own = this.current;
		if (own != null && own.session() == session) {
			return own.id();
		}
		long id;
		do {
			id = random.nextLong();
		}
		while (id == 0);
		this.client.createWithParents(this.layout.ownerPath(id), Envelope.DIRECTORY, CreateMode.EPHEMERAL,
				CreateMode.PERSISTENT, deadline);
		this.live.add(id);
		this.indexed.clear();
		this.current = new Owner(id, session);
		return id;
	}

	/** Record in the owner's index that {@code key} is kept alive by it (before writing the key). */
	void index(String key, long owner, long deadline) throws KeeperException {
		if (!this.indexed.add(key)) {
			return;
		}
		try {
			this.client.createWithParents(this.layout.keptEntry(owner, this.layout.path(key)), Envelope.DIRECTORY,
					CreateMode.PERSISTENT, CreateMode.PERSISTENT, deadline);
		}
		catch (KeeperException.NodeExistsException ex) {
			// Indexed already.
		}
		catch (KeeperException | RuntimeException ex) {
			this.indexed.remove(key);
			throw ex;
		}
	}

	void remember(String key, byte[] value, long mzxid) {
		this.keys.put(key, new Kept(value, mzxid));
	}

	void forget(String key) {
		this.keys.remove(key);
	}

	void forgetAtOrBelow(String dir) {
		this.keys.keySet().removeIf((key) -> Keys.isAtOrBelow(key, dir));
	}

	@Override
	public void process(WatchedEvent event) {
		String path = event.getPath();
		if (this.closed || path == null || !path.startsWith(this.layout.ownersRoot() + "/")) {
			return;
		}
		long id = ZkLayout.ownerOf(path.substring(this.layout.ownersRoot().length() + 1));
		if (id == 0) {
			return;
		}
		if (event.getType() == Event.EventType.NodeCreated) {
			this.live.add(id);
		}
		else if (event.getType() == Event.EventType.NodeDeleted) {
			this.live.remove(id);
			cleanUpLater(id);
		}
	}

	/** The connection came back: watch the owners again, and after a session expiry write the keys again. */
	void reconnected(boolean newSession) {
		try {
			start(this.client.deadline());
		}
		catch (KeeperException | StoreException ex) {
			logger.warn("Reading the keep-alive owners after a reconnect failed", ex);
		}
		if (newSession) {
			recreate();
		}
	}

	/** Write every keep-alive key again for a new owner, unless someone else wrote it meanwhile. */
	private void recreate() {
		for (Map.Entry<String, Kept> entry : this.keys.entrySet()) {
			String key = entry.getKey();
			String path = this.layout.path(key);
			try {
				long deadline = this.client.deadline();
				ZkClient.Node node = this.client.getData(path, false, deadline);
				if (node != null && node.data().length > 0 && node.stat().getMzxid() != entry.getValue().mzxid()) {
					this.keys.remove(key, entry.getValue());
					continue;
				}
				long id = owner(deadline);
				index(key, id, deadline);
				byte[] data = Envelope.encodeKeepAlive(entry.getValue().value(), id);
				Stat stat = (node != null) ? this.znodes.update(path, data, node.stat().getVersion(), deadline)
						: this.znodes.create(path, data, CreateMode.PERSISTENT, deadline);
				this.keys.replace(key, entry.getValue(), new Kept(entry.getValue().value(), stat.getMzxid()));
			}
			catch (KeeperException.NodeExistsException | KeeperException.BadVersionException ex) {
				// Written by someone else since the session ended: theirs now.
				this.keys.remove(key, entry.getValue());
			}
			catch (KeeperException | StoreException ex) {
				logger.warn("Re-creating keep-alive key '{}' after a session expiry failed", key, ex);
			}
		}
	}

	private void cleanUpLater(long id) {
		if (this.closed || !this.cleaning.add(id)) {
			return;
		}
		try {
			// Off ZooKeeper's event thread: the cleanup waits for answers.
			this.scheduler.execute(() -> {
				try {
					cleanUp(id);
				}
				finally {
					this.cleaning.remove(id);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// The store is closing: the other stores clean up.
			this.cleaning.remove(id);
		}
	}

	/**
	 * Empty the keys a dead owner kept alive (versioned: a rewrite wins), then drop its index.
	 * Every read is in flight at once, then every write: a few round trips for any number of
	 * keys, since this runs on the store's scheduler thread.
	 */
	private void cleanUp(long id) {
		String dir = this.layout.keptDir(id);
		try {
			long deadline = this.client.deadline();
			ZooKeeper zk = this.client.zk(deadline);
			List<String> names = this.client.await(this.client.getChildrenAsync(zk, dir), deadline);
			if (names == null) {
				return;
			}
			List<CompletableFuture<ZkClient.@Nullable Node>> reads = new ArrayList<>(names.size());
			names.forEach((name) -> reads.add(this.client.getDataAsync(zk, ZkLayout.pathOfKeptEntry(name))));
			List<CompletableFuture<Integer>> writes = new ArrayList<>(names.size());
			for (int i = 0; i < names.size(); i++) {
				ZkClient.Node node = this.client.await(reads.get(i), deadline);
				Envelope envelope = (node != null) ? Envelope.decode(node.data()) : null;
				CompletableFuture<Integer> written = new CompletableFuture<>();
				if (envelope != null && envelope.owner() == id) {
					this.znodes.removeKeyAsync(ZkLayout.pathOfKeptEntry(names.get(i)), node.stat(), written::complete);
				}
				else {
					written.complete(Code.OK.intValue());
				}
				writes.add(written);
			}
			for (int i = 0; i < names.size(); i++) {
				int rc = this.client.await(writes.get(i), deadline);
				// Emptied, or rewritten or emptied by someone else meanwhile: the entry has done its job.
				if (rc == Code.OK.intValue() || rc == Code.BADVERSION.intValue() || rc == Code.NONODE.intValue()) {
					zk.delete(dir + "/" + names.get(i), -1, (rc2, p, ctx) -> {
						// Deleted, or by another store already; the next cleanup retries anything else.
					}, null);
				}
			}
			// Sent after the entries' deletes, so it runs after them; an entry left behind keeps it.
			deleteQuietly(dir, deadline);
		}
		catch (KeeperException | StoreException ex) {
			// Readers ignore the keys already; the next reconnect or store start cleans up again.
			logger.debug("Cleaning up the keep-alive keys of owner {} failed", Long.toHexString(id), ex);
		}
	}

	private void deleteQuietly(String path, long deadline) throws KeeperException {
		try {
			this.client.delete(path, -1, deadline);
		}
		catch (KeeperException.NoNodeException | KeeperException.NotEmptyException ex) {
			// Deleted by another store, or an entry is left for the next cleanup: nothing to do now.
		}
	}

	/** Stop watching; a store on a shared client ends its owner itself (the session goes on). */
	void close(boolean sessionEnds) {
		this.closed = true;
		this.client.removeWatcherQuietly(this.layout.ownersRoot(), this);
		Owner own = this.current;
		if (!sessionEnds && own != null) {
			this.client.deleteEventually(this.layout.ownerPath(own.id()));
		}
		this.keys.clear();
	}

}
