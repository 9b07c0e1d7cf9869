package io.valkeyrie.store;

import java.time.Duration;
import java.util.Optional;

/**
 * A distributed lock on one key, created not held by {@link Store#newLock(String, LockOptions)}.
 * <p>
 * Mutual exclusion holds across lock objects, stores, connections and processes. The lock
 * is not reentrant: acquiring it again while held fails with {@link IllegalStateException}.
 * The same object can be acquired again after unlock or after a failed attempt. A held lock
 * renews itself (unless disabled in {@link LockOptions}); when it is lost anyway (session
 * expiry, failed renewal, lock record removed) the lease's {@link LockLease#lost()} stage
 * completes. A lease also knows its own deadline: the send time of the last renewal the
 * server confirmed plus the TTL, less a 10 % safety margin, by the local monotonic clock;
 * past it the lease is lost ({@link LockLoss.Reason#EXPIRED_LOCALLY}) even if no answer came,
 * and every call of the store checks this first, so a holder that was paused learns of the
 * loss before any call it makes after waking succeeds.
 * <p>
 * Closing the store ends every caller waiting for the lock at once with
 * {@link StoreClosedException}.
 * <p>
 * Thread-safe, but meant to be used by one thread at a time.
 */
public interface StoreLock {

	/** The locked key in normal form. */
	String key();

	/** The options the lock was created with. */
	LockOptions options();

	/**
	 * Acquire the lock, waiting as long as it takes.
	 * @return the lease of this acquisition
	 * @throws StoreInterruptedException if the thread is interrupted while waiting (the
	 * interrupt status is kept and the lock is not acquired)
	 * @throws StoreUnavailableException if the backend cannot be reached
	 */
	LockLease lock();

	/**
	 * Acquire the lock if it is free right now.
	 * @return the lease, or empty if another holder has it or the thread is interrupted (the
	 * interrupt status is kept, and nothing is left held)
	 * @throws StoreUnavailableException if the backend cannot be reached
	 * @throws StoreClosedException if the store is or gets closed
	 */
	Optional<LockLease> tryLock();

	/**
	 * Acquire the lock, waiting at most {@code timeout}.
	 * @param timeout how long to wait
	 * @return the lease, or empty on timeout or interrupt (the interrupt status is kept, and
	 * nothing is left held)
	 * @throws StoreUnavailableException if the backend cannot be reached
	 * @throws StoreClosedException if the store is or gets closed while waiting
	 */
	Optional<LockLease> tryLock(Duration timeout);

	/**
	 * Release the lock and wake a waiter. Releases whatever the thread's interrupt status
	 * (which is kept), so a cancelled task's {@code finally} block frees the lock.
	 * @throws LockNotHeldException if this object does not hold the lock (never acquired,
	 * already released, or lost, also when only the release finds the record gone)
	 */
	void unlock();

	/** Whether this object holds the lock and has not been told it lost it. */
	boolean isHeld();

}
