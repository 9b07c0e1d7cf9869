package io.valkeyrie.store.zookeeper;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;

import org.jspecify.annotations.Nullable;

/**
 * Znodes to delete a fixed delay after they were written (journal entries, emptied key
 * znodes), batched: one transaction per second for everything due. Each delete is
 * conditional on the version the znode had when it was queued, so a znode written again
 * meanwhile stays. After a batch the {@code deleted} callback runs once per directory the
 * batch deleted from, not once per znode: under a steady stream of journaled writes to a
 * few keys, a per-znode callback was one more request (the check whether the directory is
 * now empty) for every write. What a closed or crashed store leaves behind is swept by
 * later lists of the directory.
 */
final class DelayedDeletes {

	private static final long SWEEP_MILLIS = 1_000;

	/** The largest cleanup transaction, in bytes of paths: well inside jute.maxbuffer. */
	private static final int MAX_BATCH_BYTES = 256 * 1024;

	private final ZkClient client;

	private final ScheduledExecutorService scheduler;

	private final Consumer<String> deleted;

	private final long delayMillis;

	private final ConcurrentLinkedQueue<Due> queue = new ConcurrentLinkedQueue<>();

	private @Nullable ScheduledFuture<?> sweep;

	private record Due(String path, int version, long dueMillis) {
	}

	/**
	 * @param client the client
	 * @param scheduler runs the deletes
	 * @param deleted called with the path of a deleted znode, once per directory of a batch
	 * (to prune empty parents)
	 * @param delayMillis how long after {@link #add} a znode is deleted
	 */
	DelayedDeletes(ZkClient client, ScheduledExecutorService scheduler, Consumer<String> deleted, long delayMillis) {
		this.client = client;
		this.scheduler = scheduler;
		this.deleted = deleted;
		this.delayMillis = delayMillis;
	}

	long delayMillis() {
		return this.delayMillis;
	}

	/** Delete the znode at {@code path} after the delay, if it still has {@code version} (-1: any). */
	void add(String path, int version) {
		this.queue.add(new Due(path, version, System.currentTimeMillis() + this.delayMillis));
		synchronized (this) {
			if (this.sweep == null) {
				try {
					this.sweep = this.scheduler.scheduleWithFixedDelay(this::deleteDue, SWEEP_MILLIS, SWEEP_MILLIS,
							TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException ex) {
					// The store is closing: close() or the next lister deals with what is left.
				}
			}
		}
	}

	private void deleteDue() {
		long now = System.currentTimeMillis();
		List<Due> due = new ArrayList<>();
		int bytes = 0;
		Due head = this.queue.peek();
		while (head != null && head.dueMillis() <= now) {
			this.queue.poll();
			due.add(head);
			bytes += head.path().length() * 3 + 16;
			if (bytes > MAX_BATCH_BYTES) {
				deleteAll(due);
				due = new ArrayList<>();
				bytes = 0;
			}
			head = this.queue.peek();
		}
		if (!due.isEmpty()) {
			deleteAll(due);
		}
	}

	/** One transaction for a batch; one by one if any was written again or is gone already. */
	private void deleteAll(List<Due> batch) {
		if (batch.size() == 1) {
			delete(batch.get(0).path(), batch.get(0).version());
			return;
		}
		try {
			ZooKeeper zk = this.client.handle();
			List<Op> ops = new ArrayList<>(batch.size());
			batch.forEach((due) -> ops.add(Op.delete(due.path(), due.version())));
			zk.multi(ops, (rc, p, ctx, results) -> {
				if (rc == Code.OK.intValue()) {
					deletedFrom(batch);
				}
				else {
					batch.forEach((due) -> delete(due.path(), due.version()));
				}
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: the next lister of the directory sweeps them.
		}
	}

	/** Report a deleted batch: one path per directory, as every znode of the batch is gone by now. */
	private void deletedFrom(List<Due> batch) {
		Set<String> directories = new HashSet<>();
		for (Due due : batch) {
			String path = due.path();
			if (directories.add(path.substring(0, path.lastIndexOf('/')))) {
				this.deleted.accept(path);
			}
		}
	}

	/** Delete a znode without waiting. */
	void delete(String path, int version) {
		try {
			ZooKeeper zk = this.client.handle();
			zk.delete(path, version, (rc, p, ctx) -> {
				if (rc == Code.OK.intValue()) {
					this.deleted.accept(path);
				}
				// Otherwise written again, gone already, or left for the next lister to sweep.
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: the next lister of the directory sweeps it.
		}
	}

	/** Stop sweeping; with {@code now}, delete what is queued at once, else leave it to later listers. */
	void close(boolean now) {
		synchronized (this) {
			if (this.sweep != null) {
				this.sweep.cancel(false);
			}
		}
		Due due;
		while ((due = this.queue.poll()) != null) {
			if (now) {
				delete(due.path(), due.version());
			}
		}
	}

}
