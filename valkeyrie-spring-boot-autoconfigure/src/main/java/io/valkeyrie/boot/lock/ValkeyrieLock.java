package io.valkeyrie.boot.lock;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockLoss;
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

	// Written only by the thread holding 'local' (and ended by the expiry task).
	private volatile @Nullable Hold hold;

	private volatile long lastAcquired = System.currentTimeMillis();

	/** Why the holds in {@link #lostHolds} were dropped, for their owed exceptions. */
	private volatile @Nullable LockLoss droppedLoss;

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
		if (this.local.getHoldCount() > 1) {
			Hold current = this.hold;
			if (current != null && current.isValid()) {
				this.lastAcquired = System.currentTimeMillis();
				if (this.registry.renewal() == LockRenewal.MANUAL) {
					// As in Spring Integration's registries, acquiring again renews: a leader's heartbeat keeps its lock.
					current.expireAfter(ttl);
				}
				if (current.isValid()) {
					return true;
				}
			}
			dropLostHolds((current != null) ? current.loss() : null);
			if (failIfLost) {
				return false;
			}
		}
		StoreLock storeLock = this.registry.newStoreLock(this.storeKey, ttl);
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
		Hold fresh = new Hold(storeLock, acquired, ttl);
		this.hold = fresh;
		this.lastAcquired = System.currentTimeMillis();
		acquired.lost().thenAccept((loss) -> this.registry.lockLost(this.lockKey, loss));
		if (this.registry.renewal() == LockRenewal.MANUAL) {
			fresh.expireAfter(ttl);
		}
		return true;
	}

	/** Give up the local holds under the current one, which the loss left unprotected. */
	private void dropLostHolds(@Nullable LockLoss loss) {
		this.droppedLoss = loss;
		int stale = this.local.getHoldCount() - 1;
		for (int i = 0; i < stale; i++) {
			this.local.unlock();
		}
		this.lostHolds.merge(Thread.currentThread().getId(), stale, Integer::sum);
		this.hold = null;
	}

	@Override
	public void unlock() {
		if (!this.local.isHeldByCurrentThread()) {
			if (consumeLostHold()) {
				throw new LockLostException(this.lockKey, this.droppedLoss);
			}
			throw notHeld();
		}
		Hold current = this.hold;
		try {
			if (current == null || !current.isValid()) {
				throw new LockLostException(this.lockKey, (current != null) ? current.loss() : null);
			}
			if (this.local.getHoldCount() == 1) {
				current.release();
			}
		}
		finally {
			if (this.local.getHoldCount() == 1) {
				this.hold = null;
			}
			this.local.unlock();
		}
	}

	private IllegalMonitorStateException notHeld() {
		return new IllegalMonitorStateException("Lock '" + this.lockKey + "' is not held by the current thread");
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

	@Override
	public Condition newCondition() {
		throw new UnsupportedOperationException("Conditions are not supported by distributed locks");
	}

	/**
	 * For {@code renewLock}: check that the current thread holds the lock and, with manual
	 * renewal, push its expiry {@code ttl} (or the acquisition's TTL) ahead. With automatic
	 * renewal the store keeps a held lock until unlock, which outlasts any TTL.
	 */
	void renew(@Nullable Duration ttl) {
		if (!this.local.isHeldByCurrentThread()) {
			throw new IllegalStateException("Lock '" + this.lockKey + "' is not held by the current thread");
		}
		Hold current = this.hold;
		if (current == null || !current.isValid()) {
			throw new LockLostException(this.lockKey, (current != null) ? current.loss() : null);
		}
		if (this.registry.renewal() == LockRenewal.MANUAL) {
			current.expireAfter((ttl != null) ? ttl : current.ttl);
			if (!current.isValid()) {
				// Expired while being renewed: too late.
				throw new LockLostException(this.lockKey, current.loss());
			}
		}
	}

	boolean isLocked() {
		return this.local.isLocked();
	}

	/** When the lock was last acquired (or created), in epoch milliseconds. */
	long lastAcquired() {
		return this.lastAcquired;
	}

	@Override
	public String toString() {
		Hold current = this.hold;
		return "ValkeyrieLock[" + this.lockKey + ", "
				+ ((current != null && current.isValid()) ? "held, fencing token " + current.lease.fencingToken()
						: "not held")
				+ "]";
	}

	/**
	 * One acquisition of the store lock. With manual renewal it also carries the expiry
	 * Spring Integration's registries have: once the TTL passes without {@code renewLock}
	 * the store lock is released, and whichever of expiry and unlock comes first ends it.
	 */
	private final class Hold {

		private final StoreLock storeLock;

		private final LockLease lease;

		private final Duration ttl;

		private final AtomicBoolean ended = new AtomicBoolean();

		private volatile @Nullable LockLoss expired;

		private volatile @Nullable ScheduledFuture<?> expiry;

		Hold(StoreLock storeLock, LockLease lease, Duration ttl) {
			this.storeLock = storeLock;
			this.lease = lease;
			this.ttl = ttl;
		}

		boolean isValid() {
			return !this.ended.get() && this.lease.isValid();
		}

		@Nullable LockLoss loss() {
			LockLoss loss = this.expired;
			// isValid() turns false just before lost() completes: the details may not be there yet.
			return (loss != null) ? loss : this.lease.lost().toCompletableFuture().getNow(null);
		}

		synchronized void expireAfter(Duration ttl) {
			ScheduledFuture<?> previous = this.expiry;
			if (previous != null) {
				previous.cancel(false);
			}
			if (!this.ended.get()) {
				this.expiry = ValkeyrieLock.this.registry.schedule(this::expire, ttl);
			}
		}

		private void expire() {
			if (this.ended.compareAndSet(false, true)) {
				LockLoss loss = new LockLoss(this.lease.key(), this.lease.fencingToken(), LockLoss.Reason.EXPIRED, null);
				this.expired = loss;
				this.lease.close();
				ValkeyrieLock.this.registry.lockLost(ValkeyrieLock.this.lockKey, loss);
			}
		}

		void release() {
			if (!this.ended.compareAndSet(false, true)) {
				throw new LockLostException(ValkeyrieLock.this.lockKey, loss());
			}
			ScheduledFuture<?> pending = this.expiry;
			if (pending != null) {
				pending.cancel(false);
			}
			try {
				this.storeLock.unlock();
			}
			catch (LockNotHeldException ex) {
				// Lost between the validity check and the release.
				throw new LockLostException(ValkeyrieLock.this.lockKey, loss());
			}
		}

	}

}
