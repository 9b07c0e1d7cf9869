package io.valkeyrie.store.redis;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Keeps the namespace's watcher registration ({@code …:w}, a key with a TTL of
 * {@code history-linger}) alive while this store has watches. The write scripts add to the
 * history stream only while the registration exists (option {@code history=while-watched}),
 * so a namespace nobody watches pays no history. Missing the registration never loses a
 * change a watch needs: a resume checks inside {@code history.lua} that the stream holds
 * every change after its index, and resyncs otherwise.
 */
final class RedisHistoryRegistration implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisHistoryRegistration.class);

	private static final byte[] PRESENT = { '1' };

	private final RedisAccess access;

	private final byte[] key;

	private final long lingerMillis;

	private final long periodNanos;

	private final BooleanSupplier watching;

	private volatile long refreshedAt;

	private volatile boolean registered;

	private volatile @Nullable ScheduledFuture<?> refresher;

	RedisHistoryRegistration(RedisAccess access, RedisLayout layout, Duration linger, BooleanSupplier watching) {
		this.access = access;
		this.key = layout.watchers();
		this.lingerMillis = linger.toMillis();
		this.periodNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, this.lingerMillis / 3));
		this.watching = watching;
	}

	/** Refresh the registration every third of its TTL while the store has watches. */
	void start(ScheduledExecutorService io) {
		long period = TimeUnit.NANOSECONDS.toMillis(this.periodNanos);
		try {
			this.refresher = io.scheduleWithFixedDelay(this::refreshIfWatching, period, period, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Closing: nothing left to register for.
		}
	}

	/**
	 * A watch is being opened: register now, before its initial state is read, unless a
	 * refresh within the last third of the TTL did already.
	 */
	void watchOpened() {
		if (!this.registered || System.nanoTime() - this.refreshedAt > this.periodNanos) {
			refresh();
		}
	}

	private void refreshIfWatching() {
		if (this.watching.getAsBoolean()) {
			refresh();
		}
	}

	private void refresh() {
		try {
			this.access.call((connection) -> connection.stringCommands().pSetEx(this.key, this.lingerMillis, PRESENT));
			this.refreshedAt = System.nanoTime();
			this.registered = true;
		}
		catch (RuntimeException ex) {
			// Unreachable: changes meanwhile may miss the history, and a resume over them resyncs.
			this.registered = false;
			logger.debug("Registering the watches of this store for the redis history failed", ex);
		}
	}

	@Override
	public void close() {
		ScheduledFuture<?> task = this.refresher;
		if (task != null) {
			task.cancel(false);
		}
	}

}
