package io.valkeyrie.store.redis;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The threads of a store waiting for a lock. An unlock that finds waiters hands the lock to
 * the one registered longest ago (lock-release.lua) and tells only that waiter's store, on a
 * channel of the store's own ({@link #storeId()}, which starts every waiter token), with the
 * message {@code <token> <fencing token> <key>}: the woken waiter holds the lock without another
 * round trip. Every waiter is woken (to try again) when the subscription was re-established:
 * a hand-over may have been missed, and the acquire script recognises a record that already
 * names the caller as the caller's.
 */
final class RedisLockWaiters {

	/**
	 * How long a waiter's registration outlives the wait it was told (until the holder's record
	 * expires): the time its next attempt has to arrive and renew it.
	 */
	static final Duration GRACE = Duration.ofMillis(100);

	/** What a waiter is signalled with when it should just try again (no hand-over). */
	static final long TRY_AGAIN = 0;

	private final String storeId = UUID.randomUUID().toString();

	private final String tokenPrefix = this.storeId + "-";

	private final AtomicLong tokens = new AtomicLong();

	private final Map<String, Waiter> byToken = new ConcurrentHashMap<>();

	/** This store's id: its waiter tokens are {@code <id>-<n>.<ttl>} and its unlock channel ends with it. */
	String storeId() {
		return this.storeId;
	}

	/**
	 * A token unique across stores and processes: the owner of a lock record and the name of its
	 * waiter. It ends with the lock's TTL, which an unlock handing the lock over gives the record.
	 */
	String newToken(long ttlMillis) {
		return this.tokenPrefix + this.tokens.incrementAndGet() + "." + ttlMillis;
	}

	Waiter register(String token) {
		Waiter waiter = new Waiter(token);
		this.byToken.put(token, waiter);
		return waiter;
	}

	void unregister(Waiter waiter) {
		this.byToken.remove(waiter.token, waiter);
	}

	/** A hand-over message: {@code <token of the new holder> <fencing token> <key>}. */
	void handedOver(String message) {
		int space = message.indexOf(' ');
		int end = message.indexOf(' ', space + 1);
		if (space < 0 || end < 0) {
			// Not from a release script of ours: nobody to wake.
			return;
		}
		Waiter waiter = this.byToken.get(message.substring(0, space));
		if (waiter != null) {
			try {
				waiter.signal(Long.parseLong(message, space + 1, end, 10));
			}
			catch (NumberFormatException ex) {
				waiter.signal(TRY_AGAIN);
			}
		}
		// No waiter: it gave up, and the script it gave up with released what was handed to it.
	}

	void wakeAll() {
		this.byToken.values().forEach((waiter) -> waiter.signal(TRY_AGAIN));
	}

	/**
	 * One thread waiting for a lock; {@link #arm()} before every attempt, so a hand-over in
	 * between is not missed. The signal carries the fencing token of a hand-over, or
	 * {@link #TRY_AGAIN}.
	 */
	static final class Waiter {

		private final String token;

		private volatile CompletableFuture<Long> signal = new CompletableFuture<>();

		Waiter(String token) {
			this.token = token;
		}

		CompletableFuture<Long> arm() {
			CompletableFuture<Long> signal = new CompletableFuture<>();
			this.signal = signal;
			return signal;
		}

		void signal(long fencingToken) {
			this.signal.complete(fencingToken);
		}

	}

}
