package io.valkeyrie.store.redis;

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
 * with an owner token unique to the attempt, a fencing token from the key's {@code f:<key>}
 * counter, renewal every TTL/3 and release by compare-and-delete, all in Lua. Uncontended,
 * a lock and unlock are one script each and publish nothing. A failed attempt registers the
 * caller as a waiter ({@code w:<key>}) in the same script; a release that finds waiters
 * wakes one of them (the longest registered) with a message naming it, so an unlock costs
 * one wake-up, not one per waiter. A waiter that hears nothing retries when the holder's
 * record would expire (a crashed holder), never on a fixed poll.
 */
final class RedisLock extends AbstractStoreLock<RedisLock.Held> {

	private static final byte[] YES = { '1' };

	private static final byte[] NO = { '0' };

	private static final byte[] NO_LIMIT = RedisLayout.number(-1);

	private static final byte[] NONE = {};

	private static final byte[] GRACE = RedisLayout.number(RedisLockWaiters.GRACE.toMillis());

	private static final byte[] LOST_RACE_RETRY = RedisLayout.number(RedisLockWaiters.LOST_RACE_RETRY.toMillis());

	private final RedisAccess access;

	private final RedisLayout layout;

	private final RedisLockWaiters waiters;

	private final ScheduledExecutorService io;

	/** The keys of lock-acquire.lua: record, fencing counter, waiters, waiter woken last. */
	private final byte[][] acquireKeys;

	/** The keys of lock-release.lua: record, waiters, waiter woken last. */
	private final byte[][] releaseKeys;

	/** The key of lock-renew.lua: the record. */
	private final byte[][] renewKeys;

	private final byte[] keyBytes;

	private final byte[] ttl;

	RedisLock(AbstractStore store, String key, LockOptions options, RedisAccess access, RedisLayout layout,
			RedisLockWaiters waiters, ScheduledExecutorService io) {
		super(store, key, options);
		this.access = access;
		this.layout = layout;
		this.waiters = waiters;
		this.io = io;
		byte[] record = layout.lockRecord(key);
		byte[] waiting = layout.lockWaiters(key);
		byte[] woken = layout.lockWoken(key);
		this.acquireKeys = new byte[][] { record, layout.fence(key), waiting, woken };
		this.releaseKeys = new byte[][] { record, waiting, woken };
		this.renewKeys = new byte[][] { record };
		this.keyBytes = RedisLayout.bytes(key);
		this.ttl = RedisLayout.number(Math.max(1, options.ttl().toMillis()));
	}

	@Override
	protected @Nullable Held acquire(long deadlineNanos) throws InterruptedException {
		String owner = this.waiters.newToken();
		byte[] token = RedisLayout.bytes(owner);
		RedisLockWaiters.Waiter waiter = null;
		boolean registered = false;
		try {
			while (true) {
				long remaining = (deadlineNanos == Long.MAX_VALUE) ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
				boolean mayWait = remaining > 0;
				CompletableFuture<Void> unlocked = null;
				if (mayWait) {
					// Listen before trying, so an unlock between the attempt and the wait is not missed.
					waiter = (waiter != null) ? waiter : this.waiters.register(this.key, owner);
					unlocked = waiter.arm();
				}
				long started = System.nanoTime();
				long result;
				try {
					result = this.access.scriptLong(RedisScript.LOCK_ACQUIRE, this.acquireKeys, token, this.ttl,
							registered ? YES : NO, mayWait ? YES : NO, limit(remaining), GRACE, LOST_RACE_RETRY);
				}
				catch (RuntimeException ex) {
					// Sent but not answered (interrupted, timed out, closed): it may have taken the record.
					giveBack(token);
					registered = registered || mayWait;
					throw ex;
				}
				if (result > 0) {
					Held held = new Held(result, owner, started);
					watch(held);
					return held;
				}
				registered = mayWait;
				if (!mayWait) {
					return null;
				}
				long wait = Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(-result));
				try {
					unlocked.get(wait, TimeUnit.NANOSECONDS);
					this.store.ensureOpen();
				}
				catch (TimeoutException ex) {
					// The holder's record is due to expire, a woken waiter did not come, or our deadline came: try again.
				}
				catch (ExecutionException ex) {
					// Never completed exceptionally; retrying is right either way.
				}
			}
		}
		catch (InterruptedException | RuntimeException ex) {
			if (registered) {
				leave(token);
			}
			throw ex;
		}
		finally {
			if (waiter != null) {
				this.waiters.unregister(waiter);
			}
		}
	}

	private static byte[] limit(long remainingNanos) {
		return (remainingNanos == Long.MAX_VALUE) ? NO_LIMIT : RedisLayout.number(TimeUnit.NANOSECONDS.toMillis(remainingNanos) + 1);
	}

	/** Stop waiting: remove our registration and, if we were woken, wake the next waiter. */
	private void leave(byte[] token) {
		releaseQuietly(NONE, token);
	}

	/** Delete the record if {@code token} owns it (an attempt whose answer never came). */
	private void giveBack(byte[] token) {
		releaseQuietly(token, NONE);
	}

	/**
	 * Run the release script whatever the caller's interrupt status, which is kept; after the
	 * store's close, beside the close's own releases, so the attempt ends at once.
	 */
	private void releaseQuietly(byte[] owner, byte[] waiter) {
		this.store.cleanUpAttempt("Cleaning up the attempt on lock '" + this.key + "'", () -> runRelease(owner, waiter));
	}

	private void runRelease(byte[] owner, byte[] waiter) {
		boolean interrupted = Thread.interrupted();
		try {
			this.access.scriptLong(RedisScript.LOCK_RELEASE, this.releaseKeys, owner, waiter, this.layout.unlocks(),
					this.keyBytes, GRACE, this.layout.publishCommand());
		}
		catch (RuntimeException ex) {
			// Unreachable or closed: a registration or a record taken meanwhile expires by itself,
			// and the other waiters retry after the grace.
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	protected boolean release(Held held) {
		return this.access.scriptLong(RedisScript.LOCK_RELEASE, this.releaseKeys, RedisLayout.bytes(held.owner), NONE,
				this.layout.unlocks(), this.keyBytes, GRACE, this.layout.publishCommand()) == 1;
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
			long renewed = this.access.scriptLong(RedisScript.LOCK_RENEW, this.renewKeys, RedisLayout.bytes(held.owner), this.ttl);
			if (renewed == 1) {
				held.renewedNanos = started;
				held.renewed(started);
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
			super(fencingToken, renewedNanos);
			this.owner = owner;
			this.renewedNanos = renewedNanos;
		}

	}

}
