package io.valkeyrie.store.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.AbstractStoreLock;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * A lock as a queue of ephemeral sequential znodes below the lock's bookkeeping znode
 * (Curator's {@code LockInternals} idea): the lowest sequence holds the lock, every other
 * contender watches only its predecessor, so a release wakes exactly one waiter at once.
 * Taking a free lock is one round trip (create and list, pipelined), releasing it one
 * (delete).
 * The fencing token is the holder znode's {@code czxid}: acquisitions follow creation order,
 * so it grows with every acquisition, also when the container above is recreated.
 * <p>
 * The lock lives as long as the session, which is the renewal. It is reported lost when
 * its znode is deleted, when the session is lost, and by default already when the
 * connection is suspended (option {@code lock-lost-on-suspend}), since the session may
 * expire on the server before the client learns of it.
 */
final class ZookeeperLock extends AbstractStoreLock<ZookeeperLock.Held> {

	private static final Logger logger = LoggerFactory.getLogger(ZookeeperLock.class);

	private static final byte[] NO_DATA = new byte[0];

	private final ZookeeperStore zkStore;

	private final ZkClient client;

	private final String dir;

	private final boolean lostOnSuspend;

	ZookeeperLock(ZookeeperStore store, ZkClient client, String dir, String key, LockOptions options,
			boolean lostOnSuspend) {
		super(store, key, options);
		this.zkStore = store;
		this.client = client;
		this.dir = dir;
		this.lostOnSuspend = lostOnSuspend;
	}

	static final class Held extends Acquisition {

		final String path;

		volatile boolean lost;

		Held(long fencingToken, long sentNanos, String path) {
			super(fencingToken, sentNanos);
			this.path = path;
		}

	}

	/**
	 * One contender znode and how its deletion is noticed: a loss once it holds the lock, a
	 * reason to queue again before. The listing sent with the create leaves a watch on the
	 * queue, which fires at its next change: the contender's own delete at unlock, or another
	 * change, after which the znode itself is watched ({@code exists}; a missing znode in the
	 * answer counts as deleted). So a lock taken and released while nobody else queues costs
	 * no request for its watch; a waiter watches its znode at once, in the round trip that
	 * watches its predecessor. The watches are not removed at the end: the contender's own
	 * delete fires them once more, which {@link #end()} makes harmless.
	 */
	private final class Contender {

		// Set once the create answers, before the contender is shared (the holder field publishes them).
		String path = "";

		String name = "";

		long czxid;

		/** When the create was sent. */
		long sentNanos;

		/** The queue as listed right after this znode was created, in the same round trip. */
		CompletableFuture<@Nullable List<String>> firstListing = new CompletableFuture<>();

		final AtomicReference<@Nullable Held> holder = new AtomicReference<>();

		final AtomicBoolean gone = new AtomicBoolean();

		final AtomicBoolean watching = new AtomicBoolean();

		volatile boolean queueChanged;

		volatile boolean ended;

		/** The one-shot watch on the queue's children, set by the first listing. */
		final Watcher queueWatch = (event) -> {
			// Connection events (type None) change nothing: the client sets the watch again on reconnect.
			if (event.getType() != Watcher.Event.EventType.None) {
				this.queueChanged = true;
				if (this.holder.get() != null) {
					watch();
				}
			}
		};

		final Watcher deleted = (event) -> {
			if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
				removed();
			}
		};

		void created(ZkClient.Created node) {
			this.path = node.path();
			this.name = this.path.substring(ZookeeperLock.this.dir.length() + 1);
			this.czxid = node.stat().getCzxid();
		}

		private void removed() {
			this.gone.set(true);
			Held held = this.holder.get();
			if (held != null) {
				lose(held, LockLoss.Reason.RECORD_REMOVED, null);
			}
		}

		/** Watch this znode (once); the session's requests keep their order, so it is in place before any later one. */
		void watch() {
			if (!this.watching.compareAndSet(false, true)) {
				return;
			}
			ZkClient client = ZookeeperLock.this.client;
			try {
				client.handle().exists(this.path, this.deleted, (rc, p, ctx, stat) -> {
					if (rc == KeeperException.Code.NONODE.intValue()) {
						// exists() left a creation watch on the missing znode: its name is never used again.
						client.removeWatcherQuietly(this.path, this.deleted);
						removed();
					}
					else if (rc != KeeperException.Code.OK.intValue()) {
						rewatchWhenConnected();
					}
				}, null);
			}
			catch (StoreUnavailableException ex) {
				rewatchWhenConnected();
			}
		}

		/** The watch was not set (connection lost); an expired session is reported as a loss by itself. */
		private void rewatchWhenConnected() {
			ZookeeperLock.this.client.whenConnected(() -> {
				if (!this.ended) {
					this.watching.set(false);
					watch();
				}
			});
		}

		/** This contender is released or abandoned: its deletion is no news any more. */
		void end() {
			this.ended = true;
			this.holder.set(null);
		}

	}

	/** The one-shot watch on the contender ahead: wakes the waiter, and tells whether it was deleted. */
	private static final class Predecessor implements Watcher {

		final String path;

		final CountDownLatch wake = new CountDownLatch(1);

		volatile boolean deleted;

		Predecessor(String path) {
			this.path = path;
		}

		@Override
		public void process(WatchedEvent event) {
			// Connection events (type None) wake the waiter too: it then reads the queue again.
			if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
				this.deleted = true;
			}
			this.wake.countDown();
		}

	}

	@Override
	protected @Nullable Held acquire(long deadlineNanos) throws InterruptedException {
		String prefix = this.dir + "/" + ZkLayout.CONTENDER_PREFIX + UUID.randomUUID() + "-";
		Contender mine = null;
		Held held = null;
		try {
			mine = contend(prefix);
			List<String> queue = contenders(this.client.await(mine.firstListing, this.client.deadline()));
			for (;;) {
				int index = queue.indexOf(mine.name);
				if (index < 0 || mine.gone.get()) {
					// Our znode went with an expired session: queue again.
					mine.end();
					mine = contend(prefix);
					queue = contenders(this.client.await(mine.firstListing, this.client.deadline()));
					continue;
				}
				if (index == 0) {
					held = hold(mine);
					if (held != null) {
						return held;
					}
					queue = listQueue();
					continue;
				}
				if (deadlineNanos - System.nanoTime() <= 0) {
					return null;
				}
				mine.watch();
				Predecessor predecessor = new Predecessor(this.dir + "/" + queue.get(index - 1));
				long deadline = this.client.deadline();
				Stat stat = this.client.await(this.client.existsAsync(this.client.zk(deadline), predecessor.path, predecessor),
						deadline);
				if (stat == null) {
					// Gone already; drop the creation watch exists() left on it.
					this.client.removeWatcherQuietly(predecessor.path, predecessor);
					queue = next(index, mine);
					continue;
				}
				if (!await(predecessor, deadlineNanos)) {
					return null;
				}
				this.store.ensureOpen();
				queue = predecessor.deleted ? next(index, mine) : listQueue();
			}
		}
		catch (StoreInterruptedException ex) {
			throw new InterruptedException(ex.getMessage());
		}
		catch (KeeperException ex) {
			throw new StoreException("ZooKeeper failed on lock '" + this.key + "': " + ex.getMessage(), ex);
		}
		finally {
			if (held == null && mine != null) {
				mine.end();
				String path = mine.path;
				// After the store's close: beside the close's own releases, so the attempt ends at once.
				this.zkStore.cleanUpAttempt("Deleting lock contender " + path, () -> deleteUninterruptibly(path));
			}
		}
	}

	/** Wait for the predecessor's watch until the deadline, the store's close or an interrupt. */
	private boolean await(Predecessor predecessor, long deadlineNanos) throws InterruptedException {
		long wait = deadlineNanos - System.nanoTime();
		Runnable onClose = predecessor.wake::countDown;
		this.zkStore.onClose(onClose);
		boolean woken = false;
		try {
			woken = wait > 0 && predecessor.wake.await(wait, TimeUnit.NANOSECONDS);
		}
		finally {
			this.zkStore.removeOnClose(onClose);
			if (!woken) {
				// Timed out or interrupted: nobody waits for this watch any more.
				this.client.removeWatcherQuietly(predecessor.path, predecessor);
			}
		}
		return woken;
	}

	/**
	 * The queue after the contender at {@code index - 1} was deleted. When it was the only one
	 * ahead of ours, ours is first now without asking the server: the listing was read after
	 * our znode was created, so it showed every znode created before ours, and sequence
	 * numbers only grow, so nothing created later can queue ahead.
	 */
	private List<String> next(int index, Contender mine) throws KeeperException {
		return (index == 1) ? List.of(mine.name) : listQueue();
	}

	/**
	 * Create a contender znode and list the queue in one round trip: a session's requests are
	 * answered in order, so the listing already holds the new znode.
	 */
	private Contender contend(String prefix) throws KeeperException {
		long deadline = this.client.deadline();
		try {
			for (int attempt = 0;; attempt++) {
				ZooKeeper zk = this.client.zk(deadline);
				long sent = System.nanoTime();
				CompletableFuture<ZkClient.Created> created = this.client.createAsync(zk, prefix, NO_DATA,
						CreateMode.EPHEMERAL_SEQUENTIAL);
				Contender contender = new Contender();
				contender.firstListing = this.client.getChildrenAsync(zk, this.dir, contender.queueWatch);
				try {
					// The listing is answered after the create, on the same thread: one wake-up for both.
					this.client.await(contender.firstListing, deadline);
					contender.created(this.client.await(created, deadline));
					contender.sentNanos = sent;
					return contender;
				}
				catch (KeeperException.NoNodeException ex) {
					if (attempt >= 5) {
						throw ex;
					}
					this.client.createParents(prefix, CreateMode.CONTAINER, deadline);
				}
			}
		}
		catch (StoreUnavailableException | StoreInterruptedException ex) {
			// The create may have happened without its answer reaching us: find our znode by its unique name.
			removeOrphans(prefix.substring(this.dir.length() + 1));
			throw ex;
		}
	}

	/** The contenders in queue order, read now. */
	private List<String> listQueue() throws KeeperException {
		long deadline = this.client.deadline();
		return contenders(this.client.await(this.client.getChildrenAsync(this.client.zk(deadline), this.dir), deadline));
	}

	/** Delete our contender znodes named {@code name...}, as soon as the connection allows. */
	private void removeOrphans(String name) {
		this.client.whenConnected(() -> this.client.handle().getChildren(this.dir, false, (rc, path, ctx, children) -> {
			if (children != null) {
				children.stream()
					.filter((child) -> child.startsWith(name))
					.forEach((child) -> this.client.deleteEventually(this.dir + "/" + child));
			}
			else if (rc == KeeperException.Code.CONNECTIONLOSS.intValue()) {
				removeOrphans(name);
			}
		}, null));
	}

	/** The contenders' znode names in queue order. */
	private static List<String> contenders(@Nullable List<String> children) {
		List<String> contenders = new ArrayList<>();
		if (children != null) {
			for (String child : children) {
				if (child.startsWith(ZkLayout.CONTENDER_PREFIX)) {
					contenders.add(child);
				}
			}
		}
		contenders.sort((a, b) -> Long.compare(sequence(a), sequence(b)));
		return contenders;
	}

	private static long sequence(String name) {
		return Long.parseLong(name.substring(name.length() - 10));
	}

	/** Take the lock with a won znode and watch for its loss; {@code null} if it is gone or the connection is down. */
	private @Nullable Held hold(Contender mine) throws KeeperException {
		Held held = new Held(mine.czxid, mine.sentNanos, mine.path);
		long validity = validity().toNanos();
		if (this.options.renew() && System.nanoTime() - held.confirmedNanos() > validity / 4) {
			// A long wait: the session was kept alive, but only an answer to a request we timed proves it.
			long deadline = this.client.deadline();
			long sent = System.nanoTime();
			if (this.client.await(this.client.existsAsync(this.client.zk(deadline), mine.path, null), deadline) == null) {
				return null;
			}
			held.renewed(sent);
		}
		mine.holder.set(held);
		held.onEnd(mine::end);
		ConnectionStateListener listener = (curator, state) -> {
			if (state == ConnectionState.LOST) {
				lose(held, LockLoss.Reason.SESSION_EXPIRED, null);
			}
			else if (state == ConnectionState.SUSPENDED && this.lostOnSuspend) {
				lose(held, LockLoss.Reason.RENEWAL_FAILED,
						new StoreException("the ZooKeeper connection was suspended; the session may expire"));
			}
		};
		this.client.curator().getConnectionStateListenable().addListener(listener);
		held.onEnd(() -> this.client.curator().getConnectionStateListenable().removeListener(listener));
		if (mine.queueChanged) {
			// The queue changed before we held the lock: its watch is used up, watch our znode instead.
			mine.watch();
		}
		if (mine.gone.get() || !this.client.isConnected()) {
			// Deleted or suspended before the holder and the listener were in place: look again.
			mine.holder.set(null);
			this.client.curator().getConnectionStateListenable().removeListener(listener);
			return null;
		}
		if (this.options.renew()) {
			long period = Math.max(1, TimeUnit.NANOSECONDS.toMillis(validity / 3));
			ScheduledFuture<?> probe = this.store.scheduler()
				.scheduleAtFixedRate(() -> confirm(held), period, period, TimeUnit.MILLISECONDS);
			held.onEnd(() -> probe.cancel(false));
		}
		return held;
	}

	/**
	 * The session is the renewal, but the client does not tell when the server last heard
	 * from it: an answered request sent at a known time moves the lease's deadline.
	 */
	private void confirm(Held held) {
		long sent = System.nanoTime();
		try {
			this.client.handle().exists(held.path, false, (rc, path, ctx, stat) -> {
				if (rc == KeeperException.Code.OK.intValue()) {
					held.renewed(sent);
				}
				else if (rc == KeeperException.Code.NONODE.intValue()) {
					lose(held, LockLoss.Reason.RECORD_REMOVED, null);
				}
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: the connection listener reports the loss, or the deadline does.
		}
	}

	@Override
	protected Duration validity() {
		// The lock lives as long as the session, which the server ends a session timeout after it last heard from us.
		return this.options.renew() ? this.zkStore.minimumTtl() : this.options.ttl();
	}

	/** Report a loss off ZooKeeper's and Curator's event threads (the user's callbacks run there). */
	private void lose(Held held, LockLoss.Reason reason, @Nullable Throwable cause) {
		held.lost = true;
		CompletableFuture.runAsync(() -> lost(held, reason, cause));
	}

	@Override
	protected boolean release(Held held) {
		if (held.lost) {
			this.client.deleteEventually(held.path);
			return false;
		}
		return deleteUninterruptibly(held.path);
	}

	/**
	 * Delete a contender znode and wait for it, so the next contender sees it gone at once.
	 * @return {@code false} if it was gone already
	 */
	private boolean deleteUninterruptibly(String path) {
		boolean interrupted = Thread.interrupted();
		try {
			this.client.delete(path, -1, this.client.deadline());
			return true;
		}
		catch (KeeperException.NoNodeException ex) {
			// Gone already (session expired or removed): nothing to release, and nothing was held.
			return false;
		}
		catch (KeeperException | RuntimeException ex) {
			if (this.store.isClosed()) {
				// The close counts what it could not release; the session's expiry deletes the znode.
				logger.debug("Deleting lock znode {} on close failed", path, ex);
				return true;
			}
			logger.warn("Deleting lock znode {} failed; deleting it once the connection is back", path, ex);
			this.client.deleteEventually(path);
			return true;
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
