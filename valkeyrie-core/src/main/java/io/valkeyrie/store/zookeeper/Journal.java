package io.valkeyrie.store.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;

import org.jspecify.annotations.Nullable;

/**
 * The value of every write, kept for a short while so watchers see each one. ZooKeeper's
 * watch events carry no data: a watcher that reads the key after an event gets the newest
 * value, and writes in between would be lost. So each write creates, in the same
 * transaction and before touching the key, a journal entry next to the key's znode:
 * <pre>
 * &lt;parent&gt;/%j-&lt;escaped last segment&gt;-&lt;epoch millis&gt;-&lt;sequence&gt;   (data: the key's new bytes)
 * </pre>
 * Its {@code czxid} is the key's new {@code mzxid} (same transaction). The change feed reads
 * the entry instead of the key. The writer deletes its entries after {@link #RETENTION_MILLIS},
 * batched into one transaction per second;
 * entries a crashed writer left are deleted by whoever lists the directory later (their name
 * says their age). No escaped key segment starts with {@code %j}, and lists, watches and
 * reads skip entries.
 */
final class Journal {

	static final String PREFIX = "%j-";

	/** How long an entry outlives its write: far longer than a connected watcher takes to read it. */
	static final long RETENTION_MILLIS = 10_000;

	private static final long STALE_MILLIS = 60_000;

	private static final long SWEEP_MILLIS = 1_000;

	/** The largest cleanup transaction, in bytes of paths: well inside jute.maxbuffer. */
	private static final int MAX_BATCH_BYTES = 256 * 1024;

	private final ZkClient client;

	private final ScheduledExecutorService scheduler;

	private final Consumer<String> deleted;

	private final ConcurrentLinkedQueue<Written> written = new ConcurrentLinkedQueue<>();

	private @Nullable ScheduledFuture<?> sweep;

	private record Written(String path, long dueMillis) {
	}

	/**
	 * @param client the client
	 * @param scheduler runs the cleanup
	 * @param deleted called with the path of each deleted entry (to prune empty parents)
	 */
	Journal(ZkClient client, ScheduledExecutorService scheduler, Consumer<String> deleted) {
		this.client = client;
		this.scheduler = scheduler;
		this.deleted = deleted;
	}

	/** The operation that journals {@code data} as the new bytes of the znode at {@code path}. */
	Op entry(String path, byte[] data) {
		int slash = path.lastIndexOf('/');
		String prefix = path.substring(0, slash + 1) + PREFIX + path.substring(slash + 1) + "-"
				+ System.currentTimeMillis() + "-";
		return Op.create(prefix, data, this.client.acl(), CreateMode.PERSISTENT_SEQUENTIAL);
	}

	/** The entry at {@code path} was written: delete it after the retention. */
	void written(String path) {
		this.written.add(new Written(path, System.currentTimeMillis() + RETENTION_MILLIS));
		synchronized (this) {
			if (this.sweep == null) {
				try {
					this.sweep = this.scheduler.scheduleWithFixedDelay(this::deleteDue, SWEEP_MILLIS, SWEEP_MILLIS,
							TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException ex) {
					// The store is closing: close() deletes what is left.
				}
			}
		}
	}

	private void deleteDue() {
		long now = System.currentTimeMillis();
		List<String> due = new ArrayList<>();
		int bytes = 0;
		Written head = this.written.peek();
		while (head != null && head.dueMillis() <= now) {
			this.written.poll();
			due.add(head.path());
			bytes += head.path().length() * 3 + 16;
			if (bytes > MAX_BATCH_BYTES) {
				deleteAll(due);
				due = new ArrayList<>();
				bytes = 0;
			}
			head = this.written.peek();
		}
		if (!due.isEmpty()) {
			deleteAll(due);
		}
	}

	/** One transaction for a batch (one write for many puts); one by one if any is gone already. */
	private void deleteAll(List<String> paths) {
		if (paths.size() == 1) {
			delete(paths.get(0));
			return;
		}
		try {
			ZooKeeper zk = this.client.handle();
			List<Op> ops = new ArrayList<>(paths.size());
			paths.forEach((path) -> ops.add(Op.delete(path, -1)));
			zk.multi(ops, (rc, p, ctx, results) -> {
				if (rc == Code.OK.intValue()) {
					paths.forEach(this.deleted);
				}
				else {
					paths.forEach(this::delete);
				}
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: the next lister of the directory sweeps them.
		}
	}

	/** Delete an entry without waiting. */
	void delete(String path) {
		try {
			ZooKeeper zk = this.client.handle();
			zk.delete(path, -1, (rc, p, ctx) -> {
				if (rc == Code.OK.intValue()) {
					this.deleted.accept(path);
				}
				// Otherwise gone already, or left for the next lister to sweep.
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: the next lister of the directory sweeps it.
		}
	}

	/** Delete the entries not yet due (the store closes); the requests go out before the session closes. */
	void close() {
		synchronized (this) {
			if (this.sweep != null) {
				this.sweep.cancel(false);
			}
		}
		Written entry;
		while ((entry = this.written.poll()) != null) {
			delete(entry.path());
		}
	}

	/** Whether a child name is a journal entry. */
	static boolean isEntry(String name) {
		return name.startsWith(PREFIX);
	}

	/** Whether an entry is old enough that no watcher needs it and its writer failed to delete it. */
	static boolean isStale(String name, long nowMillis) {
		int end = name.length() - 11;
		int start = name.lastIndexOf('-', end - 1);
		try {
			return start > 0 && nowMillis - Long.parseLong(name.substring(start + 1, end)) > STALE_MILLIS;
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	/** The znode path of the key an entry journals, {@code null} if {@code path} is no entry. */
	static @Nullable String keyPathOf(String path) {
		int slash = path.lastIndexOf('/');
		if (!path.startsWith(PREFIX, slash + 1) || path.length() - slash < PREFIX.length() + 13) {
			return null;
		}
		int end = path.length() - 11;
		int millis = path.lastIndexOf('-', end - 1);
		if (millis <= slash + PREFIX.length()) {
			return null;
		}
		return path.substring(0, slash + 1) + path.substring(slash + 1 + PREFIX.length(), millis);
	}

}
