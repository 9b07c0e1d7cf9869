package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * The part of a lock that is the same on every backend: the held/released/lost state
 * machine, timeouts, interrupts and the store's close, writing the lock's value,
 * delete-on-unlock, the lease handed to the caller, its loss notification and its local
 * deadline. A backend implements how to take and give back the lock record
 * ({@link #acquire}, {@link #release}), reports every renewal the server confirmed with
 * {@link Acquisition#renewed}, and reports a loss it detects with {@link #lost}.
 * <p>
 * <b>The lease's own deadline.</b> A held lease is valid until the send time of the last
 * request the server confirmed (the acquisition or a renewal) plus the lock's
 * {@linkplain #validity() validity} less {@value #SAFETY_MARGIN_PERCENT}% of it, by
 * {@link System#nanoTime()}. The server cannot have let the lock go earlier: it counts
 * the TTL from a moment after that request was sent. After the deadline
 * {@link LockLease#isValid()} is false and the loss is reported
 * ({@link LockLoss.Reason#EXPIRED_LOCALLY}), even if the process was paused and no answer
 * has come yet: every call of the store checks the deadlines of its held locks first, so
 * a paused holder learns of the loss before a call it makes after waking succeeds.
 *
 * @param <A> the backend's record of one acquisition
 */
public abstract class AbstractStoreLock<A extends AbstractStoreLock.Acquisition> implements StoreLock {

	/**
	 * The part of the validity a lease gives up, for the two clocks running at slightly
	 * different rates and for the timer's delay: far more than real clock drift (well below
	 * 0.1 %), and less than the two thirds of a TTL a renewal has to arrive in.
	 */
	public static final int SAFETY_MARGIN_PERCENT = 10;

	private static final Logger logger = LoggerFactory.getLogger(AbstractStoreLock.class);

	/** How often a release interrupted by another thread is tried again before giving up. */
	private static final int RELEASE_ATTEMPTS = 3;

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
	 * Waiters must be woken by the backend's notification of a release, not by polling, and
	 * by the store's close ({@link AbstractStore#onClose}).
	 * @param deadlineNanos when to give up
	 * @return the acquisition, or {@code null} when the deadline passed
	 * @throws InterruptedException if the thread was interrupted (or a
	 * {@link io.valkeyrie.store.StoreInterruptedException}); nothing may be left held, also
	 * when the interrupt came while a request that takes the record was in flight
	 */
	protected abstract @Nullable A acquire(long deadlineNanos) throws InterruptedException;

	/**
	 * Give back the lock record of {@code acquisition} (only if it is still ours) and wake a
	 * waiter. Also called after a loss, to clean up what is left. Called with the interrupt
	 * status cleared.
	 * @return whether the record was still this acquisition's
	 */
	protected abstract boolean release(A acquisition);

	/**
	 * How long after a confirmed request (see {@link Acquisition#renewed}) the server keeps
	 * the lock at least, without hearing from this process. The lock's TTL unless the
	 * backend's expiry is shorter (Consul sessions, ZooKeeper sessions).
	 */
	protected Duration validity() {
		return this.options.ttl();
	}

	/**
	 * The backend found the lock of {@code acquisition} gone while held. Completes the
	 * lease's {@code lost()} stage once; no-op if the lease already ended.
	 */
	protected final void lost(A acquisition, LockLoss.Reason reason, @Nullable Throwable cause) {
		Lease lease = this.current.get();
		if (lease != null && lease.acquisition == acquisition && lease.end(State.LOST)) {
			// Told first: a store call that finds the lease lost waits only for this.
			lease.tell(new LockLoss(this.key, lease.token, reason, cause));
			lease.cancelTimer();
			this.current.compareAndSet(lease, null);
			this.store.lockReleased(this);
			logger.warn("Lost lock '{}' (fencing token {}) on {}: {}", this.key, lease.token,
					this.store.backend(), reason, cause);
			acquisition.cleanup();
			try {
				uninterruptibly(() -> release(acquisition));
			}
			catch (RuntimeException ex) {
				// The record is gone or unreachable already; the loss is what matters.
				logger.debug("Cleaning up lost lock '{}' failed", this.key, ex);
			}
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
				throw new StoreException("Lock '" + this.key + "' gave up without a deadline");
			}
			return lease;
		}
		catch (InterruptedException | StoreInterruptedException ex) {
			Thread.currentThread().interrupt();
			throw (ex instanceof StoreInterruptedException interrupted) ? interrupted
					: new StoreInterruptedException("Interrupted while waiting for lock '" + this.key + "'", ex);
		}
	}

	@Override
	public final Optional<LockLease> tryLock() {
		return tryUntil(System.nanoTime());
	}

	@Override
	public final Optional<LockLease> tryLock(Duration timeout) {
		long now = System.nanoTime();
		long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
		return tryUntil((Long.MAX_VALUE - now < nanos) ? Long.MAX_VALUE : now + nanos);
	}

	private Optional<LockLease> tryUntil(long deadline) {
		try {
			return Optional.ofNullable(attempt(deadline));
		}
		catch (InterruptedException | StoreInterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	@Override
	public final void unlock() {
		Lease lease = this.current.get();
		if (lease != null) {
			lease.checkDeadline();
		}
		if (lease == null || !lease.isHeldState()) {
			throw new LockNotHeldException("Lock '" + this.key + "' is not held by this lock object"
					+ ((lease != null) ? " (it was lost)" : ""));
		}
		if (!lease.release()) {
			throw new LockNotHeldException("Lock '" + this.key + "' was lost before this unlock: its record was gone or "
					+ "belonged to another holder");
		}
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

	/**
	 * The store closes: tell the holder its lease is lost ({@link LockLoss.Reason#STORE_CLOSED})
	 * and end it now.
	 * @return the release of the record, for the close to send beside the others, or
	 * {@code null} if the lease had ended already
	 */
	@Nullable Runnable endOnClose() {
		Lease lease = this.current.get();
		return (lease != null) ? lease.endOnClose() : null;
	}

	/**
	 * Report the loss if the held lease is past its deadline; if another thread is reporting
	 * it, wait until it is told.
	 */
	void checkDeadline() {
		Lease lease = this.current.get();
		if (lease != null) {
			lease.checkDeadline();
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
		A acquisition;
		long before = this.store.epochs().highestToken(this.key);
		try {
			acquisition = acquire(deadlineNanos);
		}
		catch (StoreInterruptedException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throw this.store.failure("lock of '" + this.key + "'", ex);
		}
		if (this.store.isClosed()) {
			if (acquisition != null) {
				acquisition.cleanup();
				this.store.cleanUpAttempt("Releasing lock '" + this.key + "' taken as the store closed",
						() -> releaseQuietly(acquisition));
			}
			throw closedWhileWaiting();
		}
		if (acquisition == null) {
			return null;
		}
		// A token not above the last one handed out for this key means the server lost its data.
		Lease lease = new Lease(acquisition, this.store.epochs().token(this.key, acquisition.fencingToken(), before));
		this.current.set(lease);
		this.store.lockHeld(this);
		if (this.store.isClosed()) {
			// close() may have taken its list of held locks just before this one joined it.
			Runnable release = lease.endOnClose();
			if (release != null) {
				this.store.cleanUpAttempt("Releasing lock '" + this.key + "' taken as the store closed", release);
			}
			throw closedWhileWaiting();
		}
		lease.watchDeadline();
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

	private StoreClosedException closedWhileWaiting() {
		return new StoreClosedException("The " + this.store.backend() + " store was closed while waiting for lock '"
				+ this.key + "'");
	}

	private void releaseQuietly(A acquisition) {
		try {
			uninterruptibly(() -> release(acquisition));
		}
		catch (RuntimeException ex) {
			// The store is closing; its session or lease goes with it.
			logger.debug("Releasing lock '{}' on close failed", this.key, ex);
		}
	}

	/**
	 * Run a release whatever the caller's interrupt status (a cancelled task still unlocks
	 * in its {@code finally}); the status is restored afterwards.
	 */
	private static <T> T uninterruptibly(Supplier<T> call) {
		boolean interrupted = Thread.interrupted();
		try {
			for (int attempt = 1;; attempt++) {
				try {
					return call.get();
				}
				catch (StoreInterruptedException ex) {
					// Interrupted again while releasing: try again, the lock must not stay taken.
					interrupted |= Thread.interrupted();
					if (attempt >= RELEASE_ATTEMPTS) {
						throw ex;
					}
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
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

		private volatile long confirmedNanos;

		/**
		 * @param fencingToken the acquisition's fencing token
		 * @param sentNanos when ({@link System#nanoTime()}) the request that took the record,
		 * or the last one that renewed what it depends on (session, lease), was sent
		 */
		public Acquisition(long fencingToken, long sentNanos) {
			this.fencingToken = fencingToken;
			this.confirmedNanos = sentNanos;
		}

		/** The fencing token of this acquisition. */
		public final long fencingToken() {
			return this.fencingToken;
		}

		/**
		 * The server confirmed a renewal sent at {@code sentNanos} ({@link System#nanoTime()}
		 * taken before sending): the lease is valid for its validity from then.
		 */
		public final synchronized void renewed(long sentNanos) {
			if (sentNanos - this.confirmedNanos > 0) {
				this.confirmedNanos = sentNanos;
			}
		}

		/** When the last request the server confirmed was sent. */
		public final long confirmedNanos() {
			return this.confirmedNanos;
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

		/** The fencing token as callers see it (the server's, above a base after a loss of its data). */
		private final long token;

		private final long validNanos;

		private final AtomicReference<State> state = new AtomicReference<>(State.HELD);

		private final CompletableFuture<LockLoss> lost = new CompletableFuture<>();

		/** Completes once the thread that reported the loss has run the listeners of {@link #lost}. */
		private final CompletableFuture<Void> told = new CompletableFuture<>();

		/** The thread running the listeners of {@link #lost}: a store call a listener makes must not wait for itself. */
		private volatile @Nullable Thread teller;

		private volatile @Nullable ScheduledFuture<?> timer;

		Lease(A acquisition, long token) {
			this.acquisition = acquisition;
			this.token = token;
			long validity = saturatedNanos(validity());
			this.validNanos = validity - validity / 100 * SAFETY_MARGIN_PERCENT;
		}

		boolean end(State to) {
			return this.state.compareAndSet(State.HELD, to);
		}

		boolean isHeldState() {
			return this.state.get() == State.HELD;
		}

		/** Report the loss if past the deadline; wait for a loss being reported to be told. */
		void checkDeadline() {
			if (this.state.get() == State.HELD
					&& System.nanoTime() - (this.acquisition.confirmedNanos() + this.validNanos) >= 0) {
				AbstractStoreLock.this.lost(this.acquisition, AbstractStoreLock.this.options.renew() ? LockLoss.Reason.EXPIRED_LOCALLY
						: LockLoss.Reason.EXPIRED, null);
			}
			if (this.state.get() == State.LOST) {
				// Reported by this thread or, racing with it, by another (the deadline timer, a failed
				// renewal): the caller goes on only once the loss is told. Not lost.join(): that returns
				// as soon as the loss is set, while the other thread may still be running the listeners.
				if (this.teller != Thread.currentThread()) {
					this.told.join();
				}
			}
		}

		/** Complete {@link #lost} (running the listeners registered so far on this thread), then {@link #told}. */
		void tell(LockLoss loss) {
			this.teller = Thread.currentThread();
			try {
				this.lost.complete(loss);
			}
			finally {
				this.teller = null;
				this.told.complete(null);
			}
		}

		/** Check the deadline when it comes (again after each renewal moved it). */
		void watchDeadline() {
			if (!isHeldState()) {
				return;
			}
			long delay = this.acquisition.confirmedNanos() + this.validNanos - System.nanoTime();
			try {
				this.timer = AbstractStoreLock.this.store.scheduler()
					.schedule(this::deadlineReached, Math.max(0, delay), TimeUnit.NANOSECONDS);
			}
			catch (RejectedExecutionException ex) {
				// The store is closing and ends the lease itself.
				return;
			}
			if (!isHeldState()) {
				cancelTimer();
			}
		}

		private void deadlineReached() {
			checkDeadline();
			watchDeadline();
		}

		void cancelTimer() {
			ScheduledFuture<?> scheduled = this.timer;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
		}

		@Override
		public String key() {
			return AbstractStoreLock.this.key;
		}

		@Override
		public long fencingToken() {
			return this.token;
		}

		@Override
		public boolean isValid() {
			checkDeadline();
			return isHeldState();
		}

		@Override
		public CompletionStage<LockLoss> lost() {
			return this.lost.minimalCompletionStage();
		}

		@Override
		public void close() {
			release();
		}

		/**
		 * Release if held.
		 * @return whether the record was still ours ({@code false} also if the lease had ended)
		 */
		boolean release() {
			if (!isHeldState()) {
				return false;
			}
			RuntimeException failure = null;
			if (AbstractStoreLock.this.options.deleteOnUnlock() && !AbstractStoreLock.this.store.isClosed()) {
				try {
					uninterruptibly(() -> {
						try {
							AbstractStoreLock.this.store.delete(AbstractStoreLock.this.key);
						}
						catch (KeyNotFoundException ex) {
							// Already gone: what delete-on-unlock wants.
						}
						return null;
					});
				}
				catch (RuntimeException ex) {
					failure = ex;
				}
			}
			if (!end(State.RELEASED)) {
				if (failure != null) {
					throw failure;
				}
				return false;
			}
			cancelTimer();
			AbstractStoreLock.this.current.compareAndSet(this, null);
			AbstractStoreLock.this.store.lockReleased(AbstractStoreLock.this);
			this.acquisition.cleanup();
			boolean ours = true;
			try {
				ours = uninterruptibly(() -> AbstractStoreLock.this.release(this.acquisition));
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
			if (!ours) {
				this.lost.complete(new LockLoss(AbstractStoreLock.this.key, this.token,
						LockLoss.Reason.RECORD_REMOVED, null));
			}
			if (failure != null) {
				throw failure;
			}
			return ours;
		}

		@Nullable Runnable endOnClose() {
			if (!end(State.LOST)) {
				return null;
			}
			tell(new LockLoss(AbstractStoreLock.this.key, this.token, LockLoss.Reason.STORE_CLOSED, null));
			cancelTimer();
			AbstractStoreLock.this.current.compareAndSet(this, null);
			AbstractStoreLock.this.store.lockReleased(AbstractStoreLock.this);
			this.acquisition.cleanup();
			return () -> releaseQuietly(this.acquisition);
		}

		@Override
		public String toString() {
			return "LockLease[" + AbstractStoreLock.this.key + ", fencingToken=" + this.token + ", " + this.state.get() + "]";
		}

	}

}
