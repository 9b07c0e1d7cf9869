package io.valkeyrie.boot.lock;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreLock;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.locks.DistributedLock;

/**
 * One lock key of a {@link ValkeyrieLockRegistry}: a local {@link ReentrantLock} in front
 * of a store lock, so only one thread per registry contends remotely and re-entrancy stays
 * local. The store lock is taken by the outermost acquisition and given back by the
 * outermost unlock; while held the store renews it, so a nested acquisition only checks
 * that it is still held.
 * <p>
 * When the store lock is lost while held, the next acquisition by the owning thread drops
 * the holds that lost their protection (their later {@code unlock} calls throw
 * {@link LockLostException}): a nested {@code tryLock} then fails, which is how
 * {@code LockRegistryLeaderInitiator} notices that leadership was revoked, and a nested
 * {@code lock} starts a fresh acquisition.
 */
final class ValkeyrieLock implements DistributedLock {

	private final ValkeyrieLockRegistry registry;

	private final String lockKey;

	private final String storeKey;

	private final ReentrantLock local = new ReentrantLock();

	/** Holds dropped after a loss, by thread id; their unlock calls still owe an exception. */
	private final Map<Long, Integer> lostHolds = new ConcurrentHashMap<>();

	// Written only by the thread holding 'local'.
	private volatile @Nullable StoreLock storeLock;

	private volatile @Nullable LockLease lease;

	private volatile @Nullable Duration leaseTtl;

	private volatile long lastUsed = System.currentTimeMillis();

	ValkeyrieLock(ValkeyrieLockRegistry registry, String lockKey, String storeKey) {
		this.registry = registry;
		this.lockKey = lockKey;
		this.storeKey = storeKey;
	}

	@Override
	public void lock() {
		lock(this.registry.defaultTtl());
	}

	@Override
	public void lock(Duration ttl) {
		this.local.lock();
		boolean interrupted = false;
		try {
			while (true) {
				try {
					if (acquireRemote(ttl, null, false)) {
						return;
					}
				}
				catch (InterruptedException | StoreInterruptedException ex) {
					// Lock.lock() is not interruptible: keep waiting and restore the flag afterwards.
					interrupted = true;
					Thread.interrupted();
				}
			}
		}
		catch (RuntimeException ex) {
			this.local.unlock();
			throw ex;
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public void lockInterruptibly() throws InterruptedException {
		this.local.lockInterruptibly();
		boolean acquired = false;
		try {
			acquired = acquireRemote(this.registry.defaultTtl(), null, false);
		}
		catch (StoreInterruptedException ex) {
			Thread.interrupted();
			throw new InterruptedException("Interrupted while waiting for lock '" + this.lockKey + "'");
		}
		finally {
			if (!acquired) {
				this.local.unlock();
			}
		}
	}

	@Override
	public boolean tryLock() {
		if (!this.local.tryLock()) {
			return false;
		}
		boolean acquired = false;
		try {
			acquired = acquireRemote(this.registry.defaultTtl(), Duration.ZERO, true);
			return acquired;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			if (!acquired) {
				this.local.unlock();
			}
		}
	}

	@Override
	public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
		return tryLock(Duration.ofNanos(unit.toNanos(time)), this.registry.defaultTtl());
	}

	@Override
	public boolean tryLock(Duration waitTime, Duration ttl) throws InterruptedException {
		long deadline = System.nanoTime() + Math.max(0, waitTime.toNanos());
		if (!this.local.tryLock(Math.max(0, waitTime.toNanos()), TimeUnit.NANOSECONDS)) {
			return false;
		}
		boolean acquired = false;
		try {
			acquired = acquireRemote(ttl, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), true);
			return acquired;
		}
		finally {
			if (!acquired) {
				this.local.unlock();
			}
		}
	}

	/**
	 * With {@code local} just taken by the current thread, make sure the store lock is held.
	 * @param ttl the TTL of a fresh acquisition
	 * @param wait how long to wait for the store lock, {@code null} for as long as it takes
	 * @param failIfLost whether a nested acquisition after a loss fails instead of
	 * acquiring afresh
	 * @return whether the store lock is held; on {@code false} the caller undoes its local
	 * hold
	 */
	private boolean acquireRemote(Duration ttl, @Nullable Duration wait, boolean failIfLost)
			throws InterruptedException {
		this.lastUsed = System.currentTimeMillis();
		if (this.local.getHoldCount() > 1) {
			LockLease current = this.lease;
			if (current != null && current.isValid()) {
				return true;
			}
			dropLostHolds();
			if (failIfLost) {
				return false;
			}
		}
		StoreLock storeLock = this.registry.newStoreLock(this.storeKey, LockOptions.builder().ttl(ttl).build());
		LockLease acquired;
		if (wait == null) {
			acquired = storeLock.lock();
		}
		else {
			Optional<LockLease> attempt = wait.isZero() ? storeLock.tryLock() : storeLock.tryLock(wait);
			if (attempt.isEmpty()) {
				if (Thread.interrupted()) {
					throw new InterruptedException("Interrupted while waiting for lock '" + this.lockKey + "'");
				}
				return false;
			}
			acquired = attempt.get();
		}
		this.storeLock = storeLock;
		this.lease = acquired;
		this.leaseTtl = ttl;
		acquired.lost().thenAccept((loss) -> this.registry.lockLost(this.lockKey, loss));
		return true;
	}

	/** Give up the local holds under the current one, which the loss left unprotected. */
	private void dropLostHolds() {
		int stale = this.local.getHoldCount() - 1;
		for (int i = 0; i < stale; i++) {
			this.local.unlock();
		}
		this.lostHolds.merge(Thread.currentThread().getId(), stale, Integer::sum);
		this.lease = null;
		this.storeLock = null;
	}

	@Override
	public void unlock() {
		if (!this.local.isHeldByCurrentThread()) {
			if (consumeLostHold()) {
				throw new LockLostException(this.lockKey, null);
			}
			throw new IllegalStateException("Lock '" + this.lockKey + "' is not held by the current thread");
		}
		LockLease current = this.lease;
		try {
			if (current == null || !current.isValid()) {
				throw new LockLostException(this.lockKey, lossOf(current));
			}
			StoreLock held = this.storeLock;
			if (this.local.getHoldCount() == 1 && held != null) {
				try {
					held.unlock();
				}
				catch (LockNotHeldException ex) {
					// Lost between the check above and the release.
					throw new LockLostException(this.lockKey, lossOf(current));
				}
			}
		}
		finally {
			if (this.local.getHoldCount() == 1) {
				this.lease = null;
				this.storeLock = null;
			}
			this.local.unlock();
			this.lastUsed = System.currentTimeMillis();
		}
	}

	private boolean consumeLostHold() {
		long thread = Thread.currentThread().getId();
		boolean[] consumed = new boolean[1];
		this.lostHolds.computeIfPresent(thread, (id, count) -> {
			consumed[0] = true;
			return (count > 1) ? count - 1 : null;
		});
		return consumed[0];
	}

	private static io.valkeyrie.store.@Nullable LockLoss lossOf(@Nullable LockLease lease) {
		if (lease == null) {
			return null;
		}
		// isValid() turns false just before lost() completes: the details may not be there yet.
		return lease.lost().toCompletableFuture().getNow(null);
	}

	@Override
	public Condition newCondition() {
		throw new UnsupportedOperationException("Conditions are not supported by distributed locks");
	}

	/** Check, for {@code renewLock}, that the current thread holds the lock with {@code ttl}. */
	void checkHeld(@Nullable Duration ttl) {
		if (!this.local.isHeldByCurrentThread()) {
			throw new IllegalStateException("Lock '" + this.lockKey + "' is not held by the current thread");
		}
		LockLease current = this.lease;
		if (current == null || !current.isValid()) {
			throw new LockLostException(this.lockKey, lossOf(current));
		}
		if (ttl != null && !ttl.equals(this.leaseTtl)) {
			throw new UnsupportedOperationException("Lock '" + this.lockKey + "' was acquired with TTL "
					+ this.leaseTtl + "; the store renews a held lock itself and cannot change its TTL, "
					+ "so acquire it with lock(" + ttl + ") instead");
		}
	}

	boolean isLocked() {
		return this.local.isLocked();
	}

	long lastUsed() {
		return this.lastUsed;
	}

	@Override
	public String toString() {
		LockLease current = this.lease;
		return "ValkeyrieLock[" + this.lockKey + ", "
				+ ((current != null && current.isValid()) ? "held, fencing token " + current.fencingToken() : "not held")
				+ "]";
	}

}
