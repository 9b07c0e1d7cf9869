package io.valkeyrie.store.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.ScriptOutputType;
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
 * hands the lock to one of them (the longest registered) in the same script, and tells only
 * that waiter's store, with the new fencing token: the woken thread holds the lock with no
 * further round trip, and an unlock costs one wake-up, not one per waiter. A waiter that
 * hears nothing retries when the holder's record would expire (a crashed holder), never on a
 * fixed poll, and an attempt that finds the record handed to it takes it (a lost message).
 */
final class RedisLock extends AbstractStoreLock<RedisLock.Held> {

	private static final byte[] YES = { '1' };

	private static final byte[] NO = { '0' };

	private static final byte[] NO_LIMIT = RedisLayout.number(-1);

	private static final byte[] NONE = {};

	private static final byte[] GRACE = RedisLayout.number(RedisLockWaiters.GRACE.toMillis());

	private final RedisAccess access;

	private final RedisLayout layout;

	private final RedisLockWaiters waiters;

	private final ScheduledExecutorService io;

	/** The keys of lock-acquire.lua and lock-release.lua: record, fencing counter, waiters. */
	private final byte[][] lockKeys;

	/** The key of lock-renew.lua: the record. */
	private final byte[][] renewKeys;

	private final byte[] keyBytes;

	private final long ttlMillis;

	private final byte[] ttl;

	/**
	 * How old the last attempt may be for a hand-over to count from it: a lease that starts
	 * older is confirmed by another attempt first (the renewal, every TTL/3, must come in time).
	 */
	private final long freshNanos;

	RedisLock(AbstractStore store, String key, LockOptions options, RedisAccess access, RedisLayout layout,
			RedisLockWaiters waiters, ScheduledExecutorService io) {
		super(store, key, options);
		this.access = access;
		this.layout = layout;
		this.waiters = waiters;
		this.io = io;
		byte[] record = layout.lockRecord(key);
		byte[] waiting = layout.lockWaiters(key);
		this.lockKeys = new byte[][] { record, layout.fence(key), waiting };
		this.renewKeys = new byte[][] { record };
		this.keyBytes = RedisLayout.bytes(key);
		this.ttlMillis = Math.max(1, options.ttl().toMillis());
		this.ttl = RedisLayout.number(this.ttlMillis);
		this.freshNanos = TimeUnit.MILLISECONDS.toNanos(this.ttlMillis) / 3;
	}

	@Override
	protected @Nullable Held acquire(long deadlineNanos) throws InterruptedException {
		String owner = this.waiters.newToken(this.ttlMillis);
		byte[] token = RedisLayout.bytes(owner);
		RedisLockWaiters.Waiter waiter = null;
		boolean registered = false;
		try {
			while (true) {
				long remaining = (deadlineNanos == Long.MAX_VALUE) ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
				boolean mayWait = remaining > 0;
				CompletableFuture<Long> signal = null;
				if (mayWait) {
					// Listen before trying, so a hand-over between the attempt and the wait is not missed.
					waiter = (waiter != null) ? waiter : this.waiters.register(owner);
					signal = waiter.arm();
				}
				long started = System.nanoTime();
				List<?> result;
				try {
					result = this.access.script(RedisScript.LOCK_ACQUIRE, ScriptOutputType.MULTI, this.lockKeys, token,
							this.ttl, registered ? YES : NO, mayWait ? YES : NO, limit(remaining), GRACE);
				}
				catch (RuntimeException ex) {
					// Sent but not answered (interrupted, timed out, closed): it may have taken the record.
					giveBack(token);
					registered = registered || mayWait;
					throw ex;
				}
				long answer = (Long) result.get(0);
				if (answer > 0) {
					return held(answer, owner, started);
				}
				registered = mayWait;
				if (!mayWait) {
					return null;
				}
				long wait = Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(-answer));
				long handedOver;
				try {
					handedOver = signal.get(wait, TimeUnit.NANOSECONDS);
					this.store.ensureOpen();
				}
				catch (TimeoutException ex) {
					// The holder's record is due to expire or our deadline came: try again.
					continue;
				}
				catch (ExecutionException ex) {
					// Never completed exceptionally; trying again is right either way.
					continue;
				}
				// A hand-over whose fencing token is above the counter this attempt saw came after it:
				// the record's TTL started after this attempt was sent, so the lease may count from
				// then. Otherwise (a message of an earlier hand-over that expired unused, or a lease
				// mostly gone already) the next attempt finds out, taking the record if it is ours.
				long counter = (Long) result.get(1);
				if (handedOver > counter && System.nanoTime() - started < this.freshNanos) {
					return held(handedOver, owner, started);
				}
			}
		}
		catch (InterruptedException | RuntimeException ex) {
			if (registered) {
				// Also gives up the record if it was handed to us meanwhile, handing it on.
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

	private Held held(long fencingToken, String owner, long sentNanos) {
		Held held = new Held(fencingToken, owner, sentNanos);
		watch(held);
		return held;
	}

	private static byte[] limit(long remainingNanos) {
		return (remainingNanos == Long.MAX_VALUE) ? NO_LIMIT : RedisLayout.number(TimeUnit.NANOSECONDS.toMillis(remainingNanos) + 1);
	}

	/** Stop waiting: remove our registration and, if the lock was handed to us meanwhile, hand it on. */
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
			this.access.scriptLong(RedisScript.LOCK_RELEASE, this.lockKeys, owner, waiter, this.layout.unlocks(),
					this.keyBytes, this.layout.publishCommand());
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
		return this.access.scriptLong(RedisScript.LOCK_RELEASE, this.lockKeys, RedisLayout.bytes(held.owner), NONE,
				this.layout.unlocks(), this.keyBytes, this.layout.publishCommand()) == 1;
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
