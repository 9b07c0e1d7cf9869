package io.valkeyrie.store.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps TTL keys honest without keyspace notifications: a sweeper removes due keys from the
 * indexes and publishes their deletion (Redis has already hidden them with PEXPIREAT), and
 * keep-alive keys written by this store get their TTL extended every TTL/3 while it is open.
 */
final class RedisTtlKeeper implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisTtlKeeper.class);

	private static final int SWEEP_BATCH = 1000;

	private final RedisAccess access;

	private final RedisLayout layout;

	private final ScheduledExecutorService io;

	private final Map<String, KeepAlive> keepAlives = new ConcurrentHashMap<>();

	private volatile ScheduledFuture<?> sweeper;

	RedisTtlKeeper(RedisAccess access, RedisLayout layout, ScheduledExecutorService io) {
		this.access = access;
		this.layout = layout;
		this.io = io;
	}

	void start(Duration sweepInterval) {
		long millis = sweepInterval.toMillis();
		this.sweeper = this.io.scheduleWithFixedDelay(this::sweep, millis, millis, TimeUnit.MILLISECONDS);
	}

	/** A write of {@code key} with {@code options} succeeded at {@code index}. */
	void written(String key, long index, WriteOptions options) {
		if (!options.keepAlive()) {
			stop(key);
			return;
		}
		Duration ttl = options.ttl();
		long period = Math.max(1, ttl.toMillis() / 3);
		KeepAlive keepAlive = new KeepAlive(key, Long.toString(index), ttl.toMillis());
		try {
			keepAlive.task = this.io.scheduleAtFixedRate(keepAlive, period, period, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// The store is closing: the key expires on its own.
			return;
		}
		KeepAlive previous = this.keepAlives.put(key, keepAlive);
		if (previous != null) {
			previous.cancel();
		}
	}

	/** Stop keeping {@code key} alive (it was deleted or overwritten). */
	void stop(String key) {
		KeepAlive previous = this.keepAlives.remove(key);
		if (previous != null) {
			previous.cancel();
		}
	}

	private void sweep() {
		try {
			long removed;
			do {
				removed = this.access.scriptLong(RedisScript.SWEEP, this.layout.scriptKeys(),
						this.layout.scriptArgs(RedisLayout.number(SWEEP_BATCH)));
			}
			while (removed >= SWEEP_BATCH);
		}
		catch (RuntimeException ex) {
			// The server is away: the next run catches up, and Redis hides expired keys meanwhile.
			logger.debug("Sweeping expired keys of {} failed", this.layout.base(), ex);
		}
	}

	@Override
	public void close() {
		ScheduledFuture<?> task = this.sweeper;
		if (task != null) {
			task.cancel(false);
		}
		this.keepAlives.values().forEach(KeepAlive::cancel);
		this.keepAlives.clear();
	}

	private final class KeepAlive implements Runnable {

		private final String key;

		private final String index;

		private final long ttlMillis;

		private volatile ScheduledFuture<?> task;

		KeepAlive(String key, String index, long ttlMillis) {
			this.key = key;
			this.index = index;
			this.ttlMillis = ttlMillis;
		}

		@Override
		public void run() {
			try {
				long renewed = RedisTtlKeeper.this.access.scriptLong(RedisScript.RENEW, RedisTtlKeeper.this.layout.scriptKeys(),
						RedisTtlKeeper.this.layout.scriptArgs(RedisLayout.bytes(this.key), RedisLayout.bytes(this.index),
								RedisLayout.number(this.ttlMillis)));
				if (renewed == 0) {
					// Deleted, expired or overwritten by someone else: no longer ours to keep.
					RedisTtlKeeper.this.keepAlives.remove(this.key, this);
					cancel();
				}
			}
			catch (RuntimeException ex) {
				// Unreachable now; the next period tries again, and the key expires if we stay cut off.
				logger.debug("Renewing keep-alive key '{}' failed", this.key, ex);
			}
		}

		void cancel() {
			ScheduledFuture<?> scheduled = this.task;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
		}

	}

}
