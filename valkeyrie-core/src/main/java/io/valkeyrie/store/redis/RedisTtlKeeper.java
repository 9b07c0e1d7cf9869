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
 * <p>
 * A keep-alive key that expired because the store could not renew it in time (Redis was away
 * or restarted for longer than the TTL) is written again, as a fresh put, once Redis answers.
 * One replaced by another write, or gone while the store's renewals were still getting
 * through, was changed by someone else and is no longer kept.
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

	/**
	 * A write of {@code key} with {@code value} and {@code options}, sent at {@code sent}
	 * ({@link System#nanoTime()}), succeeded at {@code index}.
	 */
	void written(String key, byte[] value, long index, WriteOptions options, long sent) {
		if (!options.keepAlive()) {
			stop(key);
			return;
		}
		Duration ttl = options.ttl();
		long period = Math.max(1, ttl.toMillis() / 3);
		KeepAlive keepAlive = new KeepAlive(key, value.clone(), Long.toString(index), ttl.toMillis(), sent);
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

		private final byte[] value;

		private final long ttlMillis;

		/** The lastIndex of our write, changed when the key is written again. */
		private volatile String index;

		/** When the last renewal (or write) that got through was sent, by {@link System#nanoTime()}. */
		private volatile long confirmed;

		private volatile ScheduledFuture<?> task;

		private boolean cancelled;

		KeepAlive(String key, byte[] value, String index, long ttlMillis, long confirmed) {
			this.key = key;
			this.value = value;
			this.index = index;
			this.ttlMillis = ttlMillis;
			this.confirmed = confirmed;
		}

		@Override
		public void run() {
			try {
				long sent = System.nanoTime();
				long renewed = RedisTtlKeeper.this.access.scriptLong(RedisScript.RENEW, RedisTtlKeeper.this.layout.scriptKeys(),
						RedisTtlKeeper.this.layout.scriptArgs(RedisLayout.bytes(this.key), RedisLayout.bytes(this.index),
								RedisLayout.number(this.ttlMillis)));
				if (renewed == 1) {
					this.confirmed = sent;
				}
				else if (renewed == -1 && expiredUnrenewed()) {
					writeAgain();
				}
				else {
					// Overwritten, or deleted while our renewals got through: someone else's change to keep.
					forget();
				}
			}
			catch (RuntimeException ex) {
				// Unreachable now; the next period tries again, and the key expires if we stay cut off.
				logger.debug("Renewing keep-alive key '{}' failed", this.key, ex);
			}
		}

		/**
		 * Whether the key may have expired on its own: TTL has passed since the last renewal
		 * that got through was sent (the server applied it later, so it expired no earlier).
		 * Measured now, after the answer, on the local monotonic clock.
		 */
		private boolean expiredUnrenewed() {
			return System.nanoTime() - this.confirmed >= TimeUnit.MILLISECONDS.toNanos(this.ttlMillis);
		}

		/** A fresh put that only creates: a key someone else wrote meanwhile stays theirs. */
		private synchronized void writeAgain() {
			if (this.cancelled) {
				return;
			}
			long sent = System.nanoTime();
			long index = RedisTtlKeeper.this.access.scriptLong(RedisScript.WRITE, RedisTtlKeeper.this.layout.scriptKeys(),
					RedisTtlKeeper.this.layout.scriptArgs(RedisLayout.bytes(this.key), this.value, RedisLayout.number(this.ttlMillis),
							RedisLayout.number(0)));
			if (index < 0) {
				forget();
				return;
			}
			this.index = Long.toString(index);
			this.confirmed = sent;
			logger.info("Keep-alive key '{}' expired while Redis could not be reached; written again at index {}", this.key,
					index);
		}

		private void forget() {
			RedisTtlKeeper.this.keepAlives.remove(this.key, this);
			cancel();
		}

		/** Waits for a write in progress, so none happens once this returns. */
		synchronized void cancel() {
			this.cancelled = true;
			ScheduledFuture<?> scheduled = this.task;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
		}

	}

}
