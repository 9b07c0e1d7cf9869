package io.valkeyrie.store.redis;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The threads of a store waiting for a lock. An unlock wakes one waiter of all stores (the
 * release script names its token in the message {@code <token> <key>}); the other waiters of
 * that key in this store try again after the {@linkplain #GRACE hand-over grace}, in case the
 * woken one never does (its process died). Every waiter is woken when the subscription was
 * re-established (an unlock may have been missed).
 * <p>
 * The message goes only to the stores that have a waiter of that lock, on a channel of each
 * store's own ({@link #storeId()}, which starts every waiter token): a store that does not
 * wait for the lock is not woken by its hand-overs, whose latency its woken I/O thread would
 * otherwise add to on a busy machine.
 */
final class RedisLockWaiters {

	/**
	 * How long a woken waiter has to try before another one is woken in its place, and after
	 * which the others try again by themselves.
	 */
	static final Duration GRACE = Duration.ofMillis(100);

	/**
	 * How soon a woken waiter that found the lock taken again (by an unlocker locking at once)
	 * tries again; meanwhile unlocks wake nobody else.
	 */
	static final Duration LOST_RACE_RETRY = Duration.ofMillis(20);

	private static final Executor AFTER_GRACE = CompletableFuture.delayedExecutor(GRACE.toMillis(), TimeUnit.MILLISECONDS,
			Runnable::run);

	private final String storeId = UUID.randomUUID().toString();

	private final String tokenPrefix = this.storeId + "-";

	private final AtomicLong tokens = new AtomicLong();

	private final Map<String, Waiter> byToken = new ConcurrentHashMap<>();

	private final Map<String, Set<Waiter>> byKey = new ConcurrentHashMap<>();

	private final Set<String> retrying = ConcurrentHashMap.newKeySet();

	/** This store's id: its waiter tokens are {@code <id>-<n>} and its unlock channel ends with it. */
	String storeId() {
		return this.storeId;
	}

	/** A token unique across stores and processes: the owner of a lock record and the name of its waiter. */
	String newToken() {
		return this.tokenPrefix + this.tokens.incrementAndGet();
	}

	Waiter register(String key, String token) {
		Waiter waiter = new Waiter(key, token);
		this.byToken.put(token, waiter);
		this.byKey.computeIfAbsent(key, (k) -> ConcurrentHashMap.newKeySet()).add(waiter);
		return waiter;
	}

	void unregister(Waiter waiter) {
		this.byToken.remove(waiter.token, waiter);
		this.byKey.computeIfPresent(waiter.key, (k, set) -> {
			set.remove(waiter);
			return set.isEmpty() ? null : set;
		});
	}

	/** An unlock message: {@code <token of the waiter to wake> <key>}. */
	void wake(String message) {
		int space = message.indexOf(' ');
		if (space < 0) {
			// Not from a release script of ours: nobody to wake.
			return;
		}
		Waiter woken = this.byToken.get(message.substring(0, space));
		String key = (woken != null) ? woken.key : message.substring(space + 1);
		if (woken != null) {
			woken.signal();
		}
		Set<Waiter> waiters = this.byKey.get(key);
		if (waiters != null && (woken == null || waiters.size() > 1) && this.retrying.add(key)) {
			// Someone else was woken: should it never try, these retry after the grace.
			AFTER_GRACE.execute(() -> {
				this.retrying.remove(key);
				Set<Waiter> still = this.byKey.get(key);
				if (still != null) {
					still.forEach(Waiter::signal);
				}
			});
		}
	}

	void wakeAll() {
		this.byKey.values().forEach((waiters) -> waiters.forEach(Waiter::signal));
	}

	/** One thread waiting for a lock; {@link #arm()} before every attempt, so a wake-up in between is not missed. */
	static final class Waiter {

		private final String key;

		private final String token;

		private volatile CompletableFuture<Void> signal = new CompletableFuture<>();

		Waiter(String key, String token) {
			this.key = key;
			this.token = token;
		}

		CompletableFuture<Void> arm() {
			CompletableFuture<Void> signal = new CompletableFuture<>();
			this.signal = signal;
			return signal;
		}

		void signal() {
			this.signal.complete(null);
		}

	}

}
