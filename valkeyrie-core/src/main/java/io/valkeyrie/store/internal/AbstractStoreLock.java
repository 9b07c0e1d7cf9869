package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * The part of a lock that is the same on every backend: the held/released/lost state
 * machine, timeouts and interrupts, writing the lock's value, delete-on-unlock, the lease
 * handed to the caller and its loss notification. A backend implements how to take and
 * give back the lock record ({@link #acquire}, {@link #release}), and reports a loss it
 * detects with {@link #lost}.
 *
 * @param <A> the backend's record of one acquisition
 */
public abstract class AbstractStoreLock<A extends AbstractStoreLock.Acquisition> implements StoreLock {

	private static final Logger logger = LoggerFactory.getLogger(AbstractStoreLock.class);

	protected final AbstractStore store;

	protected final String key;

	protected final LockOptions options;

	private final AtomicReference<@Nullable Lease> current = new AtomicReference<>();

	protected AbstractStoreLock(AbstractStore store, String key, LockOptions options) {
		this.store = store;
		this.key = key;
		this.options = options;
	}

	/**
	 * Take the lock record, waiting until {@code deadlineNanos} ({@link System#nanoTime()}
	 * based; {@link Long#MAX_VALUE} waits forever, a past deadline makes one attempt).
	 * Waiters must be woken by the backend's notification of a release, not by polling.
	 * @param deadlineNanos when to give up
	 * @return the acquisition, or {@code null} when the deadline passed
	 * @throws InterruptedException if the thread was interrupted; nothing may be left held
	 */
	protected abstract @Nullable A acquire(long deadlineNanos) throws InterruptedException;

	/**
	 * Give back the lock record of {@code acquisition} (only if it is still ours) and wake a
	 * waiter. Also called after a loss, to clean up what is left.
	 */
	protected abstract void release(A acquisition);

	/**
	 * The backend found the lock of {@code acquisition} gone while held. Completes the
	 * lease's {@code lost()} stage once; no-op if the lease already ended.
	 */
	protected final void lost(A acquisition, LockLoss.Reason reason, @Nullable Throwable cause) {
		Lease lease = this.current.get();
		if (lease != null && lease.acquisition == acquisition && lease.end(State.LOST)) {
			this.current.compareAndSet(lease, null);
			this.store.lockReleased(this);
			logger.warn("Lost lock '{}' (fencing token {}) on {}: {}", this.key, acquisition.fencingToken(),
					this.store.backend(), reason, cause);
			acquisition.cleanup();
			try {
				release(acquisition);
			}
			catch (RuntimeException ex) {
				// The record is gone or unreachable already; the loss is what matters.
				logger.debug("Cleaning up lost lock '{}' failed", this.key, ex);
			}
			lease.lost.complete(new LockLoss(this.key, acquisition.fencingToken(), reason, cause));
		}
	}

	@Override
	public final String key() {
		return this.key;
	}

	@Override
	public final LockOptions options() {
		return this.options;
	}

	@Override
	public final LockLease lock() {
		try {
			Lease lease = attempt(Long.MAX_VALUE);
			if (lease == null) {
				throw new IllegalStateException("Lock '" + this.key + "' gave up without a deadline");
			}
			return lease;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreInterruptedException("Interrupted while waiting for lock '" + this.key + "'", ex);
		}
	}

	@Override
	public final Optional<LockLease> tryLock() {
		try {
			return Optional.ofNullable(attempt(System.nanoTime()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	@Override
	public final Optional<LockLease> tryLock(Duration timeout) {
		long now = System.nanoTime();
		long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
		long deadline = (Long.MAX_VALUE - now < nanos) ? Long.MAX_VALUE : now + nanos;
		try {
			return Optional.ofNullable(attempt(deadline));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	@Override
	public final void unlock() {
		Lease lease = this.current.get();
		if (lease == null || !lease.isValid()) {
			throw new LockNotHeldException("Lock '" + this.key + "' is not held by this lock object"
					+ ((lease != null) ? " (it was lost)" : ""));
		}
		lease.close();
	}

	@Override
	public final boolean isHeld() {
		Lease lease = this.current.get();
		return lease != null && lease.isValid();
	}

	/** The current acquisition, or {@code null} when not held. */
	protected final @Nullable A held() {
		Lease lease = this.current.get();
		return (lease != null && lease.isValid()) ? lease.acquisition : null;
	}

	void releaseOnClose() {
		Lease lease = this.current.get();
		if (lease != null) {
			lease.releaseOnClose();
		}
	}

	private @Nullable Lease attempt(long deadlineNanos) throws InterruptedException {
		this.store.ensureOpen();
		if (isHeld()) {
			throw new IllegalStateException("Lock '" + this.key + "' is already held by this lock object; a StoreLock is not reentrant");
		}
		if (Thread.interrupted()) {
			throw new InterruptedException();
		}
		A acquisition = acquire(deadlineNanos);
		if (acquisition == null) {
			return null;
		}
		Lease lease = new Lease(acquisition);
		this.current.set(lease);
		this.store.lockHeld(this);
		if (!this.options.renew()) {
			// Without renewal the record is only ours for one TTL; whoever holds it after that is not us.
			ScheduledFuture<?> expiry = this.store.scheduler()
				.schedule(() -> lost(acquisition, LockLoss.Reason.EXPIRED, null), this.options.ttl().toNanos(),
						TimeUnit.NANOSECONDS);
			acquisition.onEnd(() -> expiry.cancel(false));
		}
		byte[] value = this.options.value();
		if (value != null) {
			try {
				this.store.put(this.key, value);
			}
			catch (RuntimeException ex) {
				lease.close();
				throw ex;
			}
		}
		return lease;
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
	}

	enum State {

		HELD, RELEASED, LOST

	}

	/**
	 * What a backend keeps of one acquisition. Subclasses add their record's identity
	 * (session, owner token, node path). Cleanups registered here (renewal tasks, listeners)
	 * run once when the acquisition ends, by release or loss.
	 */
	public static class Acquisition {

		private final long fencingToken;

		private final List<AutoCloseable> cleanups = new ArrayList<>();

		public Acquisition(long fencingToken) {
			this.fencingToken = fencingToken;
		}

		/** The fencing token of this acquisition. */
		public final long fencingToken() {
			return this.fencingToken;
		}

		/** Run {@code cleanup} when this acquisition ends. */
		public final synchronized void onEnd(AutoCloseable cleanup) {
			this.cleanups.add(cleanup);
		}

		final synchronized void cleanup() {
			for (AutoCloseable cleanup : this.cleanups) {
				try {
					cleanup.close();
				}
				catch (Exception ex) {
					// A failed cleanup (a cancelled renewal, a closed listener) must not keep others from running.
					logger.debug("Lock cleanup failed", ex);
				}
			}
			this.cleanups.clear();
		}

	}

	private final class Lease implements LockLease {

		private final A acquisition;

		private final AtomicReference<State> state = new AtomicReference<>(State.HELD);

		private final CompletableFuture<LockLoss> lost = new CompletableFuture<>();

		Lease(A acquisition) {
			this.acquisition = acquisition;
		}

		boolean end(State to) {
			return this.state.compareAndSet(State.HELD, to);
		}

		@Override
		public String key() {
			return AbstractStoreLock.this.key;
		}

		@Override
		public long fencingToken() {
			return this.acquisition.fencingToken();
		}

		@Override
		public boolean isValid() {
			return this.state.get() == State.HELD;
		}

		@Override
		public CompletionStage<LockLoss> lost() {
			return this.lost.minimalCompletionStage();
		}

		@Override
		public void close() {
			if (this.state.get() != State.HELD) {
				return;
			}
			try {
				if (AbstractStoreLock.this.options.deleteOnUnlock() && !AbstractStoreLock.this.store.isClosed()) {
					try {
						AbstractStoreLock.this.store.delete(AbstractStoreLock.this.key);
					}
					catch (KeyNotFoundException ex) {
						// Already gone: what delete-on-unlock wants.
					}
				}
			}
			finally {
				if (end(State.RELEASED)) {
					AbstractStoreLock.this.current.compareAndSet(this, null);
					AbstractStoreLock.this.store.lockReleased(AbstractStoreLock.this);
					this.acquisition.cleanup();
					release(this.acquisition);
				}
			}
		}

		void releaseOnClose() {
			if (end(State.LOST)) {
				AbstractStoreLock.this.current.compareAndSet(this, null);
				AbstractStoreLock.this.store.lockReleased(AbstractStoreLock.this);
				this.acquisition.cleanup();
				try {
					release(this.acquisition);
				}
				catch (RuntimeException ex) {
					// The store is closing; its session or lease goes with it.
					logger.debug("Releasing lock '{}' on close failed", AbstractStoreLock.this.key, ex);
				}
				this.lost.complete(new LockLoss(AbstractStoreLock.this.key, this.acquisition.fencingToken(),
						LockLoss.Reason.STORE_CLOSED, null));
			}
		}

		@Override
		public String toString() {
			return "LockLease[" + AbstractStoreLock.this.key + ", fencingToken=" + fencingToken() + ", " + this.state.get() + "]";
		}

	}

}
