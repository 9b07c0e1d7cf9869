package io.valkeyrie.boot.lock;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreLock;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

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
 * says how long a holder that stopped renewing (crashed, cut off) keeps others out; a held
 * lock is renewed by the store for as long as it is held, so a nested {@code tryLock} (as
 * {@code LockRegistryLeaderInitiator} makes on every heartbeat) keeps it and only checks
 * that it was not lost.
 * <p>
 * A lost lock (session expiry, failed renewal, record removed) is published at once as a
 * {@link ValkeyrieLockLostEvent} when an event publisher is set; {@code unlock} of a lost
 * lock throws {@link LockLostException}. Locks of two registries are different locks, even
 * in one thread, and exclude each other like any two processes.
 * <p>
 * Thread-safe.
 */
public final class ValkeyrieLockRegistry
		implements ExpirableLockRegistry<DistributedLock>, RenewableLockRegistry<DistributedLock> {

	private static final Log logger = LogFactory.getLog(ValkeyrieLockRegistry.class);

	private final Store store;

	private final String prefix;

	private final Duration defaultTtl;

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
		this(store, "locks", defaultTtl(store));
	}

	/**
	 * The TTL a store gives a lock that names none: {@link LockOptions#DEFAULT_TTL}, or the
	 * store's minimum TTL where that is larger.
	 * @param store the store
	 * @return the TTL
	 */
	public static Duration defaultTtl(Store store) {
		Duration min = store.minimumTtl();
		return (min.compareTo(LockOptions.DEFAULT_TTL) > 0) ? min : LockOptions.DEFAULT_TTL;
	}

	/**
	 * Create a registry.
	 * @param store the store
	 * @param prefix the directory the locks live under, {@code ""} for the store's
	 * namespace itself
	 * @param defaultTtl the TTL of acquisitions that name none
	 */
	public ValkeyrieLockRegistry(Store store, String prefix, Duration defaultTtl) {
		Assert.notNull(store, "'store' must not be null");
		Assert.notNull(prefix, "'prefix' must not be null");
		Assert.isTrue(defaultTtl.compareTo(store.minimumTtl()) >= 0, () -> "'defaultTtl' " + defaultTtl
				+ " is below the " + store.backend() + " store's minimum TTL of " + store.minimumTtl());
		this.store = store;
		this.prefix = strip(prefix);
		this.defaultTtl = defaultTtl;
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
	 * Forget the lock objects that are not locked and were last used more than
	 * {@code age} milliseconds ago.
	 */
	@Override
	public void expireUnusedOlderThan(long age) {
		long now = System.currentTimeMillis();
		this.locks.values().removeIf((lock) -> !lock.isLocked() && now - lock.lastUsed() > age);
	}

	/**
	 * Check that the current thread still holds the lock. The store renews a held lock by
	 * itself, so there is nothing else to do.
	 * @throws IllegalStateException if the current thread does not hold it
	 * @throws LockLostException if it was lost
	 */
	@Override
	public void renewLock(Object lockKey) {
		heldLock(lockKey).checkHeld(null);
	}

	/**
	 * Check that the current thread still holds the lock with this TTL; see
	 * {@link #renewLock(Object)}.
	 * @throws UnsupportedOperationException if the lock was acquired with another TTL: the
	 * TTL of a held store lock is fixed at acquisition
	 */
	@Override
	public void renewLock(Object lockKey, Duration ttl) {
		heldLock(lockKey).checkHeld(ttl);
	}

	private ValkeyrieLock heldLock(Object lockKey) {
		ValkeyrieLock lock = this.locks.get(lockKey);
		if (lock == null) {
			throw new IllegalStateException("Lock '" + lockKey + "' is not held by the current thread");
		}
		return lock;
	}

	Duration defaultTtl() {
		return this.defaultTtl;
	}

	StoreLock newStoreLock(String storeKey, LockOptions options) {
		return this.store.newLock(storeKey, options);
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
		return "ValkeyrieLockRegistry[" + this.store.backend() + ", prefix='" + this.prefix + "']";
	}

}
