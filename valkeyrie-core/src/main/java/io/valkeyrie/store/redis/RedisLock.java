package io.valkeyrie.store.redis;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.internal.AbstractStore;
import io.valkeyrie.store.internal.AbstractStoreLock;

import org.jspecify.annotations.Nullable;

/**
 * A lock on a record of its own ({@code l:<key>}, never the data key): {@code SET NX PX}
 * with a random owner token, a fencing token from the key's {@code f:<key>} counter,
 * renewal every TTL/3 and release by compare-and-delete, all in Lua. A release publishes
 * the key on the unlock channel, which wakes waiters at once; a waiter that hears nothing
 * retries when the holder's record would expire (a crashed holder), never on a fixed poll.
 */
final class RedisLock extends AbstractStoreLock<RedisLock.Held> {

	private final RedisAccess access;

	private final RedisLayout layout;

	private final RedisLockWaiters waiters;

	private final ScheduledExecutorService io;

	private final byte[] record;

	private final byte[] fence;

	private final byte[] ttl;

	RedisLock(AbstractStore store, String key, LockOptions options, RedisAccess access, RedisLayout layout,
			RedisLockWaiters waiters, ScheduledExecutorService io) {
		super(store, key, options);
		this.access = access;
		this.layout = layout;
		this.waiters = waiters;
		this.io = io;
		this.record = layout.lockRecord(key);
		this.fence = layout.fence(key);
		this.ttl = RedisLayout.number(Math.max(1, options.ttl().toMillis()));
	}

	@Override
	protected @Nullable Held acquire(long deadlineNanos) throws InterruptedException {
		while (true) {
			// Listen before trying, so an unlock between the attempt and the wait is not missed.
			CompletableFuture<Void> unlocked = this.waiters.register(this.key);
			try {
				String owner = UUID.randomUUID().toString();
				long started = System.nanoTime();
				long result = this.access.scriptLong(RedisScript.LOCK_ACQUIRE, 2, this.record, this.fence,
						RedisLayout.bytes(owner), this.ttl);
				if (result > 0) {
					Held held = new Held(result, owner, started);
					watch(held);
					return held;
				}
				long remaining = (deadlineNanos == Long.MAX_VALUE) ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
				if (remaining <= 0) {
					return null;
				}
				long wait = Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(-result));
				try {
					unlocked.get(wait, TimeUnit.NANOSECONDS);
				}
				catch (TimeoutException ex) {
					// The holder's record is due to expire (or our deadline came): try again.
				}
				catch (ExecutionException ex) {
					// Never completed exceptionally; retrying is right either way.
				}
			}
			finally {
				this.waiters.unregister(this.key, unlocked);
			}
		}
	}

	@Override
	protected void release(Held held) {
		this.access.scriptLong(RedisScript.LOCK_RELEASE, 1, this.record, RedisLayout.bytes(held.owner),
				this.layout.unlocks(), RedisLayout.bytes(this.key));
	}

	private void watch(Held held) {
		if (!this.options.renew()) {
			// AbstractStoreLock reports the loss when the TTL runs out.
			return;
		}
		long ttlNanos = this.options.ttl().toNanos();
		long period = Math.max(1, this.options.ttl().toMillis() / 3);
		ScheduledFuture<?> task;
		try {
			task = this.io.scheduleAtFixedRate(() -> renew(held, ttlNanos), period, period, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// The store is closing; close() releases the lock.
			return;
		}
		held.onEnd(() -> task.cancel(false));
	}

	private void renew(Held held, long ttlNanos) {
		long started = System.nanoTime();
		try {
			long renewed = this.access.scriptLong(RedisScript.LOCK_RENEW, 1, this.record, RedisLayout.bytes(held.owner), this.ttl);
			if (renewed == 1) {
				held.renewedNanos = started;
			}
			else {
				lost(held, LockLoss.Reason.RECORD_REMOVED, null);
			}
		}
		catch (RuntimeException ex) {
			if (System.nanoTime() - held.renewedNanos >= ttlNanos) {
				lost(held, LockLoss.Reason.RENEWAL_FAILED, ex);
			}
		}
	}

	static final class Held extends AbstractStoreLock.Acquisition {

		private final String owner;

		private volatile long renewedNanos;

		Held(long fencingToken, String owner, long renewedNanos) {
			super(fencingToken);
			this.owner = owner;
			this.renewedNanos = renewedNanos;
		}

	}

}
