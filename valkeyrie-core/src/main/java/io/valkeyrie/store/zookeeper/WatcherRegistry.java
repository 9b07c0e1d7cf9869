package io.valkeyrie.store.zookeeper;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.valkeyrie.store.StoreException;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Which stores watch, so that writes are {@link Journal journaled} only while someone needs
 * the journal. A store that watches registers before it installs its watch: one
 * transaction creates its ephemeral znode {@code <base>/watchers/<id>} and moves the data
 * version of {@code <base>/watchers} on. Every store keeps a persistent watch on the
 * registry and remembers the version at which it last saw the registry without children.
 * While it knows such a version, its writes carry {@code check(<base>/watchers, version)}
 * instead of a journal entry, in the same transaction as the key's change: if a store
 * registered since, the server refuses the write, and the writer sends it again journaled.
 * So no write a registered watcher can see goes unjournaled, whatever the timing: the
 * server enforces it. A store that does not know such a version (someone watches, it is
 * watching itself, or it has not heard back yet) always journals.
 */
final class WatcherRegistry implements Watcher {

	private static final Logger logger = LoggerFactory.getLogger(WatcherRegistry.class);

	private static final SecureRandom random = new SecureRandom();

	/** No version known at which nobody watched: journal. */
	private static final int UNKNOWN = -1;

	private final ZkClient client;

	private final String root;

	/** The registry's data version when this store last saw it without children, or {@link #UNKNOWN}. */
	private volatile int quietVersion = UNKNOWN;

	/** Whether this store watches: its own writes always journal then. */
	private volatile boolean watching;

	/** This store's registration, {@code null} before its first watch. */
	private volatile @Nullable Registration registration;

	private volatile boolean closed;

	private record Registration(long session, String path) {
	}

	WatcherRegistry(ZkClient client, ZkLayout layout) {
		this.client = client;
		this.root = layout.watchersRoot();
	}

	/**
	 * Watch the registry and learn whether anyone watches. Until then, and if that fails
	 * (for example a registry only another user may read), writes journal.
	 */
	void start() {
		this.quietVersion = UNKNOWN;
		long deadline = this.client.deadline();
		try {
			try {
				this.client.createWithParents(this.root, Envelope.DIRECTORY, CreateMode.PERSISTENT,
						CreateMode.PERSISTENT, deadline);
			}
			catch (KeeperException.NodeExistsException ex) {
				// Created by an earlier store: what we need.
			}
			ZooKeeper zk = this.client.zk(deadline);
			CompletableFuture<Boolean> added = new CompletableFuture<>();
			zk.addWatch(this.root, this, AddWatchMode.PERSISTENT, (rc, p, ctx) -> {
				if (rc == Code.OK.intValue()) {
					added.complete(Boolean.TRUE);
				}
				else {
					added.completeExceptionally(KeeperException.create(Code.get(rc), p));
				}
			}, null);
			// Sent after the watch: every change after this listing is an event.
			CompletableFuture<Boolean> read = refresh(zk);
			this.client.await(added, deadline);
			this.client.await(read, deadline);
		}
		catch (KeeperException | StoreException ex) {
			logger.debug("Reading the watcher registry {} failed; writes are journaled", this.root, ex);
		}
	}

	@Override
	public void process(WatchedEvent event) {
		if (!this.closed && event.getType() != Event.EventType.None && this.root.equals(event.getPath())) {
			try {
				refresh(this.client.handle());
			}
			catch (RuntimeException ex) {
				// Not connected: the reconnect reads the registry again.
			}
		}
	}

	/** Read whether anyone watches; answers come in request order, so the last one is the newest state. */
	private CompletableFuture<Boolean> refresh(ZooKeeper zk) {
		CompletableFuture<Boolean> read = new CompletableFuture<>();
		zk.getChildren(this.root, false, (rc, path, ctx, children, stat) -> {
			boolean quiet = rc == Code.OK.intValue() && children.isEmpty() && !this.watching;
			this.quietVersion = quiet ? stat.getVersion() : UNKNOWN;
			read.complete(quiet);
		}, null);
		return read;
	}

	/**
	 * Register this store as a watcher before it relies on the journal; from now on its own
	 * writes journal too. Again after a session expiry (the ephemeral znode went with the session).
	 */
	synchronized void register(long deadline) throws KeeperException {
		this.watching = true;
		this.quietVersion = UNKNOWN;
		ZooKeeper zk = this.client.zk(deadline);
		Registration own = this.registration;
		if (own != null && own.session() == zk.getSessionId()) {
			return;
		}
		String path = this.root + "/" + Long.toHexString(random.nextLong());
		List<Op> ops = List.of(Op.create(path, Envelope.DIRECTORY, this.client.acl(), CreateMode.EPHEMERAL),
				Op.setData(this.root, Envelope.DIRECTORY, -1));
		try {
			this.client.multi(ops, deadline);
		}
		catch (KeeperException.NoNodeException ex) {
			this.client.createParents(path, CreateMode.PERSISTENT, deadline);
			this.client.multi(ops, deadline);
		}
		this.registration = new Registration(zk.getSessionId(), path);
	}

	/**
	 * The first operation of a transaction that changes keys without a journal entry: a check
	 * that nobody registered since this store saw the registry empty; {@code null} when the
	 * transaction must journal.
	 */
	@Nullable Op guard() {
		int version = this.quietVersion;
		return (version == UNKNOWN || this.watching) ? null : Op.check(this.root, version);
	}

	/**
	 * Whether a transaction failed on its {@link #guard} (a store started watching, or the
	 * registry is gone): then this store journals until it has read the registry again.
	 * @param failedPath the path of the operation that failed
	 */
	boolean guardFailed(@Nullable String failedPath) {
		if (!this.root.equals(failedPath)) {
			return false;
		}
		this.quietVersion = UNKNOWN;
		try {
			refresh(this.client.handle());
		}
		catch (RuntimeException ex) {
			// Not connected: the reconnect reads the registry again.
		}
		return true;
	}

	/** Stop watching the registry; a store on a shared client ends its registration itself. */
	void close(boolean sessionEnds) {
		this.closed = true;
		this.client.removeWatcherQuietly(this.root, this);
		Registration own = this.registration;
		if (!sessionEnds && own != null) {
			this.client.deleteEventually(own.path());
		}
	}

}
