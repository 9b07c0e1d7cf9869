package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.Optional;

import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import org.jspecify.annotations.Nullable;

/**
 * A lock created on a {@link DeferredStore} before it connected: an attempt with a timeout
 * waits for the connection within that timeout, {@link #lock()} as long as it takes, and
 * then becomes an attempt of the backend store's lock. Thread-safe.
 */
final class DeferredLock implements StoreLock {

	private final DeferredStore store;

	private final String key;

	private final LockOptions options;

	private volatile @Nullable StoreLock lock;

	DeferredLock(DeferredStore store, String key, LockOptions options) {
		this.store = store;
		this.key = key;
		this.options = options;
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public LockOptions options() {
		return this.options;
	}

	@Override
	public LockLease lock() {
		try {
			return backendLock(null).lock();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreInterruptedException("Interrupted while waiting for the " + this.store.backend()
					+ " store to connect, to lock '" + this.key + "'", ex);
		}
	}

	@Override
	public Optional<LockLease> tryLock() {
		try {
			// Before the connection this fails as every call does.
			return backendLock(Duration.ZERO).tryLock();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	/**
	 * @throws StoreUnavailableException if the store did not connect within the timeout
	 */
	@Override
	public Optional<LockLease> tryLock(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		try {
			StoreLock lock = backendLock(timeout);
			Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
			return lock.tryLock(left);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	@Override
	public void unlock() {
		StoreLock lock = this.lock;
		if (lock == null) {
			throw new LockNotHeldException("The lock on '" + this.key + "' is not held: the " + this.store.backend()
					+ " store has not connected yet");
		}
		lock.unlock();
	}

	@Override
	public boolean isHeld() {
		StoreLock lock = this.lock;
		return lock != null && lock.isHeld();
	}

	/** The backend store's lock, created once the store connected within {@code timeout}. */
	private StoreLock backendLock(@Nullable Duration timeout) throws InterruptedException {
		StoreLock lock = this.lock;
		if (lock != null) {
			return lock;
		}
		io.valkeyrie.store.Store backend = this.store.awaitStore(timeout);
		synchronized (this) {
			if (this.lock == null) {
				this.lock = backend.newLock(this.key, this.options);
			}
			return this.lock;
		}
	}

}
