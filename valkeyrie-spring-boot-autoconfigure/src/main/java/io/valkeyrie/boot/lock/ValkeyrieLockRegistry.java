package io.valkeyrie.boot.lock;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.internal.BackendOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;
import org.springframework.util.Assert;

/**
 * A Spring Integration lock registry backed by the locks of a valkeyrie {@link Store}, so
 * it behaves the same on every backend.
 * <p>
 * Lock keys are strings; key {@code orders} is the store lock {@code <prefix>/orders}.
 * Locks are reentrant for the thread that holds them: a per-key {@link java.util.concurrent.locks.ReentrantLock}
 * stands in front of the store lock, so one thread per registry contends remotely. The TTL
 * of an acquisition ({@link DistributedLock#lock(Duration)}, or the registry's default)
 * says how long a holder that stopped renewing (crashed, cut off) keeps others out. With
 * {@link LockRenewal#AUTOMATIC} (the default) a held lock is renewed by the store for as long
 * as it is held, so a nested {@code tryLock} (as {@code LockRegistryLeaderInitiator} makes
 * on every heartbeat) keeps it and only checks that it was not lost. With
 * {@link LockRenewal#MANUAL}, Spring Integration's expiry model, a held lock expires its TTL
 * after acquisition unless {@link #renewLock(Object, Duration)} pushes that back.
 * <p>
 * A lost or expired lock is published at once as a {@link ValkeyrieLockLostEvent} when an
 * event publisher is set; {@code unlock} of a lost lock throws {@link LockLostException}
 * (a {@link java.util.ConcurrentModificationException}, as Spring Integration's Redis and
 * JDBC registries throw), and {@code unlock} by a thread that does not hold the lock throws
 * {@link IllegalMonitorStateException}, the {@code Lock} convention. Locks of two registries
 * are different locks, even in one thread, and exclude each other like any two processes.
 * <p>
 * Thread-safe.
 */
public final class ValkeyrieLockRegistry implements ExpirableLockRegistry<DistributedLock>,
		RenewableLockRegistry<DistributedLock>, DisposableBean {

	private static final Log logger = LogFactory.getLog(ValkeyrieLockRegistry.class);

	private final Store store;

	private final String prefix;

	/** {@code null} until the first acquisition when the store could not tell its minimum yet. */
	private volatile @Nullable Duration defaultTtl;

	private final LockRenewal renewal;

	private final @Nullable ScheduledThreadPoolExecutor expiries;

	private final Map<String, ValkeyrieLock> locks = new ConcurrentHashMap<>();

	private volatile @Nullable ApplicationEventPublisher eventPublisher;

	private volatile Executor eventExecutor = Runnable::run;

	/**
	 * Create a registry whose locks live under {@code locks/} and last the
	 * {@linkplain #defaultTtl(Store) store's default lock TTL} after their holder stops
	 * renewing them.
	 * @param store the store
	 */
	public ValkeyrieLockRegistry(Store store) {
		this(store, "locks", null, LockRenewal.AUTOMATIC);
	}

	/**
	 * The TTL a store gives a lock that names none: {@link LockOptions#DEFAULT_TTL}, or the
	 * store's minimum lock TTL where that is larger.
	 * @param store the store
	 * @return the TTL
	 */
	public static Duration defaultTtl(Store store) {
		Duration min = store.minimumLockTtl();
		return (min.compareTo(LockOptions.DEFAULT_TTL) > 0) ? min : LockOptions.DEFAULT_TTL;
	}

	/**
	 * The store's minimum lock TTL, or {@code null} while the store cannot tell it: some
	 * servers decide it, and a store started without its server
	 * ({@code valkeyrie.fail-fast=false}) has not asked yet.
	 * @param store the store
	 * @return the minimum, or {@code null}
	 */
	public static @Nullable Duration knownMinimumLockTtl(Store store) {
		try {
			return store.minimumLockTtl();
		}
		catch (StoreUnavailableException ex) {
			return null;
		}
	}

	/**
	 * Create a registry whose held locks are renewed automatically.
	 * @param store the store
	 * @param prefix the directory the locks live under, {@code ""} for the store's
	 * namespace itself
	 * @param defaultTtl the TTL of acquisitions that name none
	 */
	public ValkeyrieLockRegistry(Store store, String prefix, Duration defaultTtl) {
		this(store, prefix, defaultTtl, LockRenewal.AUTOMATIC);
	}

	/**
	 * Create a registry.
	 * @param store the store
	 * @param prefix the directory the locks live under, {@code ""} for the store's
	 * namespace itself
	 * @param defaultTtl the TTL of acquisitions that name none; with automatic renewal at
	 * least the store's {@linkplain Store#minimumLockTtl() minimum lock TTL}; {@code null}
	 * for {@link #defaultTtl(Store)}, asked at the first acquisition
	 * @param renewal whether a held lock lasts until unlock or expires unless renewed
	 */
	public ValkeyrieLockRegistry(Store store, String prefix, @Nullable Duration defaultTtl, LockRenewal renewal) {
		Assert.notNull(store, "'store' must not be null");
		Assert.notNull(prefix, "'prefix' must not be null");
		Assert.notNull(renewal, "'renewal' must not be null");
		if (defaultTtl != null) {
			Assert.isTrue(!(defaultTtl.isNegative() || defaultTtl.isZero()), () -> "'defaultTtl' must be positive, was " + BackendOptions.format(defaultTtl));
			// A store that has not connected yet checks the TTL of each lock itself.
			Duration min = knownMinimumLockTtl(store);
			Assert.isTrue(renewal == LockRenewal.MANUAL || min == null || defaultTtl.compareTo(min) >= 0,
					() -> "'defaultTtl' " + BackendOptions.format(defaultTtl) + " is below the " + store.backend()
							+ " store's minimum lock TTL of " + BackendOptions.format(min));
		}
		this.store = store;
		this.prefix = strip(prefix);
		this.defaultTtl = defaultTtl;
		this.renewal = renewal;
		this.expiries = (renewal == LockRenewal.MANUAL) ? expiryScheduler() : null;
	}

	private static ScheduledThreadPoolExecutor expiryScheduler() {
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "valkeyrie-lock-expiry");
			thread.setDaemon(true);
			return thread;
		});
		// Renewals cancel their previous expiry; do not keep the cancelled ones queued.
		scheduler.setRemoveOnCancelPolicy(true);
		return scheduler;
	}

	/**
	 * Publish {@link ValkeyrieLockLostEvent}s through this publisher.
	 * @param eventPublisher the publisher
	 */
	public void setApplicationEventPublisher(ApplicationEventPublisher eventPublisher) {
		this.eventPublisher = eventPublisher;
	}

	/**
	 * Publish {@link ValkeyrieLockLostEvent}s on this executor rather than on the store
	 * thread that detected the loss (which must not wait for listeners).
	 * @param eventExecutor the executor
	 */
	public void setEventExecutor(Executor eventExecutor) {
		Assert.notNull(eventExecutor, "'eventExecutor' must not be null");
		this.eventExecutor = eventExecutor;
	}

	@Override
	public DistributedLock obtain(Object lockKey) {
		Assert.isInstanceOf(String.class, lockKey, "'lockKey' must be a String");
		String key = (String) lockKey;
		return this.locks.computeIfAbsent(key,
				(k) -> new ValkeyrieLock(this, k, this.prefix.isEmpty() ? strip(k) : this.prefix + "/" + strip(k)));
	}

	/**
	 * Forget the lock objects that are not locked and were last acquired (or created, if
	 * never acquired) more than {@code age} milliseconds ago, as Spring Integration's
	 * registries do.
	 */
	@Override
	public void expireUnusedOlderThan(long age) {
		long now = System.currentTimeMillis();
		this.locks.values().removeIf((lock) -> !lock.isLocked() && now - lock.lastAcquired() > age);
	}

	/**
	 * Renew a lock the current thread holds. With {@link LockRenewal#MANUAL} its expiry moves
	 * to the acquisition's TTL from now; with {@link LockRenewal#AUTOMATIC} the store renews a
	 * held lock by itself, so this only checks that it is still held.
	 * @throws IllegalStateException if the current thread does not hold it (as Spring
	 * Integration's registries throw from {@code renewLock})
	 * @throws LockLostException if it was lost or expired
	 */
	@Override
	public void renewLock(Object lockKey) {
		heldLock(lockKey).renew(null);
	}

	/**
	 * Renew a lock the current thread holds for {@code ttl}: with {@link LockRenewal#MANUAL}
	 * it now expires {@code ttl} from now; with {@link LockRenewal#AUTOMATIC} it stays held
	 * until unlock, which satisfies any TTL (a crashed holder still blocks others for the
	 * acquisition's TTL).
	 * @throws IllegalStateException if the current thread does not hold it (as Spring
	 * Integration's registries throw from {@code renewLock})
	 * @throws LockLostException if it was lost or expired
	 */
	@Override
	public void renewLock(Object lockKey, Duration ttl) {
		Assert.isTrue(!(ttl.isNegative() || ttl.isZero()), () -> "'ttl' must be positive, was " + BackendOptions.format(ttl));
		heldLock(lockKey).renew(ttl);
	}

	/** Stop the expiry task of {@link LockRenewal#MANUAL}; held locks stay held. */
	@Override
	public void destroy() {
		if (this.expiries != null) {
			this.expiries.shutdownNow();
		}
	}

	private ValkeyrieLock heldLock(Object lockKey) {
		ValkeyrieLock lock = this.locks.get(lockKey);
		if (lock == null) {
			throw new IllegalStateException("Lock '" + lockKey + "' is not held by the current thread");
		}
		return lock;
	}

	/** How many lock objects the registry keeps (for tests of {@link #expireUnusedOlderThan}). */
	int size() {
		return this.locks.size();
	}

	Duration defaultTtl() {
		Duration ttl = this.defaultTtl;
		if (ttl == null) {
			// Throws StoreUnavailableException while the store has not connected: so would the lock.
			ttl = defaultTtl(this.store);
			this.defaultTtl = ttl;
		}
		return ttl;
	}

	LockRenewal renewal() {
		return this.renewal;
	}

	/**
	 * A store lock for one acquisition with {@code ttl}. The store renews it while held in
	 * both modes; with {@link LockRenewal#MANUAL} its TTL (what a crashed holder costs others)
	 * is at least the store's minimum lock TTL, and the expiry is kept here.
	 */
	StoreLock newStoreLock(String storeKey, Duration ttl) {
		Duration storeTtl = ttl;
		if (this.renewal == LockRenewal.MANUAL && ttl.compareTo(this.store.minimumLockTtl()) < 0) {
			storeTtl = this.store.minimumLockTtl();
		}
		return this.store.newLock(storeKey, LockOptions.builder().ttl(storeTtl).build());
	}

	ScheduledFuture<?> schedule(Runnable task, Duration delay) {
		Assert.state(this.expiries != null, "Only manual renewal schedules expiries");
		return this.expiries.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
	}

	void lockLost(String lockKey, LockLoss loss) {
		ApplicationEventPublisher publisher = this.eventPublisher;
		if (publisher == null) {
			return;
		}
		try {
			this.eventExecutor.execute(() -> {
				try {
					publisher.publishEvent(new ValkeyrieLockLostEvent(this, lockKey, loss));
				}
				catch (RuntimeException ex) {
					// A listener failed or the context is closing; the store already logged the loss.
					logger.debug("Publishing the loss of lock '" + lockKey + "' failed", ex);
				}
			});
		}
		catch (RuntimeException ex) {
			// The executor is shut down with the context; nobody is left to tell.
			logger.debug("Cannot publish the loss of lock '" + lockKey + "'", ex);
		}
	}

	private static String strip(String path) {
		int start = 0;
		int end = path.length();
		while (start < end && path.charAt(start) == '/') {
			start++;
		}
		while (end > start && path.charAt(end - 1) == '/') {
			end--;
		}
		return path.substring(start, end);
	}

	@Override
	public String toString() {
		return "ValkeyrieLockRegistry[" + this.store.backend() + ", prefix='" + this.prefix + "', renewal="
				+ this.renewal + "]";
	}

}
