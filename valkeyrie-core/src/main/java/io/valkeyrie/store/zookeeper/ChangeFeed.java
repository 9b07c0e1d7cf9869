package io.valkeyrie.store.zookeeper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.internal.WatchHub;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one change feed of a store: a persistent recursive watch on the namespace's root
 * znode, installed with the store's first watch. ZooKeeper reports every create, data
 * change and delete at any depth; for keys someone watches the feed reads the value each
 * write left in its {@link Journal} entry (or, for writes without one, the key itself),
 * asynchronously so the answers keep the session's order, and publishes it to the
 * {@link WatchHub}. After a reconnect or a session expiry the watch is installed again and
 * every watch is told to resync, since events of the gap are not replayed.
 * <p>
 * Runs on ZooKeeper's event thread and only feeds the hub, which delivers on its own
 * threads.
 */
final class ChangeFeed implements Watcher {

	private static final Logger logger = LoggerFactory.getLogger(ChangeFeed.class);

	private static final long RETRY_MILLIS = 1000;

	private final ZkClient client;

	private final ZkLayout layout;

	private final WatcherRegistry watchers;

	private final WatchHub hub;

	private final ZookeeperStore store;

	private final ScheduledExecutorService scheduler;

	private final AtomicBoolean wanted = new AtomicBoolean();

	/** The zxid of each watched key's last journaled write (touched only on the event thread). */
	private final Map<String, Long> journaled = new LinkedHashMap<>(256, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
			return size() > 10_000;
		}

	};

	private volatile boolean closed;

	ChangeFeed(ZookeeperStore store, ZkClient client, ZkLayout layout, WatcherRegistry watchers, WatchHub hub,
			ScheduledExecutorService scheduler) {
		this.store = store;
		this.client = client;
		this.layout = layout;
		this.watchers = watchers;
		this.hub = hub;
		this.scheduler = scheduler;
	}

	/** Install the watch if this is the first time a watch is wanted. */
	void start() {
		if (this.wanted.compareAndSet(false, true)) {
			install(null);
		}
	}

	/** The connection came back (maybe with a new session): watch again and resync. */
	void reconnected(String reason) {
		if (this.wanted.get() && !this.closed) {
			install(reason);
		}
	}

	private void install(String resyncReason) {
		if (this.closed) {
			return;
		}
		try {
			long deadline = this.client.deadline();
			// Registered first: every write after the registration is journaled, so the watch
			// installed next (and the snapshots read after it) miss none.
			this.watchers.register(deadline);
			ZooKeeper zk = this.client.zk(deadline);
			CompletableFuture<Boolean> added = this.client.watchRecursivelyAsync(zk, this.layout.dataRoot(), this);
			this.client.await(added, deadline);
			if (resyncReason != null) {
				// The server may have lost its data: the hub checks the epoch marker first.
				this.hub.resyncAfterReconnect(resyncReason);
			}
		}
		catch (RuntimeException | KeeperException ex) {
			if (this.closed) {
				return;
			}
			logger.debug("Watching {} failed; retrying", this.layout.dataRoot(), ex);
			String reason = (resyncReason != null) ? resyncReason : "watch installed after: " + ex.getMessage();
			try {
				this.scheduler.schedule(() -> install(reason), RETRY_MILLIS, TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException rejected) {
				// The store is closing.
			}
		}
	}

	@Override
	public void process(WatchedEvent event) {
		if (this.closed || event.getType() == Event.EventType.None || event.getPath() == null) {
			return;
		}
		String path = event.getPath();
		long zxid = Math.max(0, event.getZxid());
		String keyPath = Journal.keyPathOf(path);
		if (keyPath != null) {
			String key = this.layout.keyOf(keyPath);
			if (event.getType() == Event.EventType.NodeCreated && key != null && this.hub.isWatched(key)) {
				// The entry comes first in its transaction: the key's own events of this zxid follow and are skipped.
				this.journaled.put(key, zxid);
				readEntry(key, path, keyPath);
			}
			return;
		}
		String key = this.layout.keyOf(path);
		if (key == null || !this.hub.isWatched(key)) {
			return;
		}
		switch (event.getType()) {
			case NodeDeleted -> inOrder(path, () -> this.hub.publishDelete(key, zxid));
			case NodeCreated, NodeDataChanged -> {
				Long journaledZxid = this.journaled.get(key);
				if (zxid == 0 && journaledZxid != null) {
					// A server before 3.9 sends events without their zxid. This key's writes are
					// journaled, and each entry's event came first: reading the key here could
					// publish a later write ahead of an entry not yet read, and lose that one.
					return;
				}
				if (journaledZxid == null || journaledZxid != zxid || zxid == 0) {
					read(key, path);
				}
			}
			default -> {
				// Persistent recursive watches report no child events.
			}
		}
	}

	/**
	 * Publish the value a journal entry holds. Answers come on this event thread in request
	 * order, so publishing from callbacks (and deletes through {@link #inOrder}) keeps the
	 * order of the changes.
	 */
	private void readEntry(String key, String entryPath, String keyPath) {
		try {
			this.client.handle().getData(entryPath, false, (rc, p, ctx, data, stat) -> {
				if (this.closed) {
					return;
				}
				if (rc == Code.OK.intValue() && Envelope.isDeletion(data)) {
					// The key's znode was emptied in the same transaction: the entry's czxid is that write's.
					this.hub.publishDelete(key, stat.getCzxid());
				}
				else if (rc == Code.OK.intValue() && data != null && data.length > 0) {
					KVPair pair = this.store.pairOf(key, new ZkClient.Node(data, stat));
					if (pair != null) {
						this.hub.publishPut(pair);
					}
				}
				else if (rc == Code.OK.intValue() || rc == Code.NONODE.intValue()) {
					// A value too large to journal, or an entry cleaned up already: read the key itself.
					read(key, keyPath);
				}
				// Otherwise the connection is gone: the resync after the reconnect covers this change.
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: the resync after the reconnect covers this change.
		}
	}

	/** Run {@code action} after the answers of every request sent before (a cheap round trip). */
	private void inOrder(String path, Runnable action) {
		try {
			this.client.handle().exists(path, false, (rc, p, ctx, stat) -> {
				if (!this.closed) {
					action.run();
				}
			}, null);
		}
		catch (RuntimeException ex) {
			action.run();
		}
	}

	private void read(String key, String path) {
		try {
			// The answer comes on this same event thread, in order with later events of the key.
			this.client.handle().getData(path, false, (rc, p, ctx, data, stat) -> {
				if (this.closed) {
					return;
				}
				if (rc == Code.OK.intValue()) {
					KVPair pair = this.store.pairOf(key, new ZkClient.Node((data != null) ? data : Envelope.DIRECTORY, stat));
					if (pair != null) {
						this.hub.publishPut(pair);
					}
					else {
						this.hub.publishDelete(key, stat.getMzxid());
					}
				}
				else if (rc == Code.NONODE.intValue()) {
					this.hub.publishDelete(key, 0);
				}
				// Otherwise the connection is gone: the resync after the reconnect covers this change.
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: the resync after the reconnect covers this change.
		}
	}

	void close() {
		this.closed = true;
		if (this.wanted.get()) {
			this.client.removeWatcherQuietly(this.layout.dataRoot(), this);
		}
	}

}
