package io.valkeyrie.store.zookeeper;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Deletes TTL keys when they expire. ZooKeeper's own TTL znodes are removed by the server's
 * container sweep (once a minute by default, never while they have children), far later
 * than the contract allows, so the TTL lives in the {@link Envelope} instead: reads treat an
 * expired key as absent at once, and every store deletes the TTL keys it has seen (written,
 * read, listed or received through its watch feed) when they expire. The delete is
 * conditional on the key's {@code mzxid} and version, so a rewrite always wins, and the
 * store's watch feed turns it into a delete event for every watcher. Expiry empties the
 * key's znode like a delete ({@link Znodes#removeKey}).
 */
final class Expiries {

	private static final Logger logger = LoggerFactory.getLogger(Expiries.class);

	private static final long RETRY_MILLIS = 500;

	private final ZkClient client;

	private final ZkLayout layout;

	private final Znodes znodes;

	private final ScheduledExecutorService scheduler;

	private final Map<String, Scheduled> tasks = new ConcurrentHashMap<>();

	private volatile boolean closed;

	Expiries(ZkClient client, ZkLayout layout, Znodes znodes, ScheduledExecutorService scheduler) {
		this.client = client;
		this.layout = layout;
		this.znodes = znodes;
		this.scheduler = scheduler;
	}

	private record Scheduled(long mzxid, @Nullable ScheduledFuture<?> future) {
	}

	/** Schedule the expiry of a TTL key read or written at {@code stat}. */
	void track(String key, Stat stat, Envelope envelope) {
		if (this.closed) {
			return;
		}
		long delay = Math.max(0, envelope.expiresAt(stat) - System.currentTimeMillis());
		this.tasks.compute(key, (k, existing) -> {
			if (existing != null && existing.mzxid() >= stat.getMzxid()) {
				return existing;
			}
			if (existing != null && existing.future() != null) {
				existing.future().cancel(false);
			}
			return schedule(key, stat.getMzxid(), delay);
		});
	}

	private Scheduled schedule(String key, long mzxid, long delayMillis) {
		try {
			return new Scheduled(mzxid, this.scheduler.schedule(() -> expire(key, mzxid), delayMillis, TimeUnit.MILLISECONDS));
		}
		catch (RejectedExecutionException ex) {
			// The store is closing; the keys are left to the other stores and to readers, which ignore them.
			return new Scheduled(mzxid, null);
		}
	}

	private void expire(String key, long mzxid) {
		String path = this.layout.path(key);
		ZooKeeper zk;
		try {
			zk = this.client.handle();
		}
		catch (RuntimeException ex) {
			retry(key, mzxid);
			return;
		}
		// Asynchronous all the way: this runs on the store's shared scheduler thread.
		zk.getData(path, false, (rc, p, ctx, data, stat) -> {
			if (rc == Code.OK.intValue()) {
				Envelope envelope = Envelope.decode(data);
				if (stat.getMzxid() != mzxid || envelope == null || !envelope.hasTtl()) {
					done(key, mzxid);
					return;
				}
				this.znodes.removeKeyAsync(path, stat, (rc2) -> finish(key, mzxid, rc2));
			}
			else if (rc == Code.NONODE.intValue()) {
				done(key, mzxid);
			}
			else {
				retry(key, mzxid);
			}
		}, null);
	}

	private void finish(String key, long mzxid, int rc) {
		if (rc == Code.CONNECTIONLOSS.intValue() || rc == Code.SESSIONEXPIRED.intValue()
				|| rc == Code.OPERATIONTIMEOUT.intValue()) {
			retry(key, mzxid);
			return;
		}
		done(key, mzxid);
	}

	private void done(String key, long mzxid) {
		this.tasks.computeIfPresent(key, (k, existing) -> (existing.mzxid() == mzxid) ? null : existing);
	}

	private void retry(String key, long mzxid) {
		if (this.closed) {
			return;
		}
		logger.debug("Expiring '{}' failed (not connected); retrying", key);
		this.tasks.computeIfPresent(key,
				(k, existing) -> (existing.mzxid() == mzxid) ? schedule(key, mzxid, RETRY_MILLIS) : existing);
	}

	void close() {
		this.closed = true;
		this.tasks.values().forEach((task) -> {
			if (task.future() != null) {
				task.future().cancel(false);
			}
		});
		this.tasks.clear();
	}

}
