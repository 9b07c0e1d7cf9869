package io.valkeyrie.store.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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

		Held(long fencingToken, String path) {
			super(fencingToken);
			this.path = path;
		}

	}

	/**
	 * One contender znode and the watch on it that reports its deletion once it holds the
	 * lock. The watch is set together with the first read of the queue (pipelined), so taking
	 * a free lock costs two round trips: create, then list + watch.
	 */
	private final class Contender {

		final ZkClient.Created node;

		final String name;

		final AtomicReference<@Nullable Held> holder = new AtomicReference<>();

		final AtomicBoolean gone = new AtomicBoolean();

		final Watcher deleted = (event) -> {
			if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
				this.gone.set(true);
				Held held = this.holder.get();
				if (held != null) {
					lose(held, LockLoss.Reason.RECORD_REMOVED, null);
				}
			}
		};

		boolean watching;

		Contender(ZkClient.Created node) {
			this.node = node;
			this.name = node.path().substring(ZookeeperLock.this.dir.length() + 1);
		}

	}

	@Override
	protected @Nullable Held acquire(long deadlineNanos) throws InterruptedException {
		String prefix = this.dir + "/" + ZkLayout.CONTENDER_PREFIX + UUID.randomUUID() + "-";
		Contender mine = null;
		Held held = null;
		try {
			mine = new Contender(contend(prefix));
			for (;;) {
				long deadline = this.client.deadline();
				ZooKeeper zk = this.client.zk(deadline);
				CompletableFuture<@Nullable List<String>> children = this.client.getChildrenAsync(zk, this.dir);
				CompletableFuture<@Nullable Stat> own = mine.watching ? null
						: this.client.existsAsync(zk, mine.node.path(), mine.deleted);
				List<String> contenders = contenders(this.client.await(children, deadline));
				if (own != null) {
					mine.watching = this.client.await(own, deadline) != null;
				}
				int index = contenders.indexOf(mine.name);
				if (index < 0 || !mine.watching || mine.gone.get()) {
					// Our znode went with an expired session: queue again.
					this.client.removeWatcherQuietly(mine.node.path(), mine.deleted);
					mine = new Contender(contend(prefix));
					continue;
				}
				if (index == 0) {
					held = hold(mine);
					if (held != null) {
						return held;
					}
					continue;
				}
				String predecessor = this.dir + "/" + contenders.get(index - 1);
				CountDownLatch wake = new CountDownLatch(1);
				Watcher watcher = (event) -> wake.countDown();
				Stat stat = this.client.exists(predecessor, watcher, this.client.deadline());
				if (stat == null) {
					// Gone already; drop the creation watch exists() left on it.
					this.client.removeWatcherQuietly(predecessor, watcher);
					continue;
				}
				long wait = deadlineNanos - System.nanoTime();
				Runnable onClose = wake::countDown;
				this.zkStore.onClose(onClose);
				boolean woken = false;
				try {
					woken = wait > 0 && wake.await(wait, TimeUnit.NANOSECONDS);
				}
				finally {
					this.zkStore.removeOnClose(onClose);
					if (!woken) {
						// Timed out or interrupted: nobody waits for this watch any more.
						this.client.removeWatcherQuietly(predecessor, watcher);
					}
				}
				if (!woken) {
					return null;
				}
				this.store.ensureOpen();
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
				this.client.removeWatcherQuietly(mine.node.path(), mine.deleted);
				deleteUninterruptibly(mine.node.path());
			}
		}
	}

	private ZkClient.Created contend(String prefix) throws KeeperException {
		try {
			return this.client.createSequential(prefix, NO_DATA, CreateMode.EPHEMERAL_SEQUENTIAL, CreateMode.CONTAINER,
					this.client.deadline());
		}
		catch (StoreUnavailableException | StoreInterruptedException ex) {
			// The create may have happened without its answer reaching us: find our znode by its unique name.
			removeOrphans(prefix.substring(this.dir.length() + 1));
			throw ex;
		}
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
	private @Nullable Held hold(Contender mine) {
		Held held = new Held(mine.node.stat().getCzxid(), mine.node.path());
		mine.holder.set(held);
		held.onEnd(() -> this.client.removeWatcherQuietly(held.path, mine.deleted));
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
		if (mine.gone.get() || !this.client.isConnected()) {
			// Deleted or suspended before the holder and the listener were in place: look again.
			mine.holder.set(null);
			this.client.curator().getConnectionStateListenable().removeListener(listener);
			return null;
		}
		return held;
	}

	/** Report a loss off ZooKeeper's and Curator's event threads (the user's callbacks run there). */
	private void lose(Held held, LockLoss.Reason reason, @Nullable Throwable cause) {
		held.lost = true;
		CompletableFuture.runAsync(() -> lost(held, reason, cause));
	}

	@Override
	protected void release(Held held) {
		if (held.lost) {
			this.client.deleteEventually(held.path);
			return;
		}
		deleteUninterruptibly(held.path);
	}

	/** Delete a contender znode and wait for it, so the next contender sees it gone at once. */
	private void deleteUninterruptibly(String path) {
		boolean interrupted = Thread.interrupted();
		try {
			this.client.delete(path, -1, this.client.deadline());
		}
		catch (KeeperException.NoNodeException ex) {
			// Gone already (session expired or removed): nothing to release.
		}
		catch (KeeperException | RuntimeException ex) {
			logger.warn("Deleting lock znode {} failed; deleting it once the connection is back", path, ex);
			this.client.deleteEventually(path);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
