package io.valkeyrie.store.redis;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Threads waiting for a lock of the store, woken when the unlock channel names their key (or
 * when the subscription was re-established and an unlock may have been missed).
 */
final class RedisLockWaiters {

	private final Map<String, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();

	/** A signal that completes at the next unlock of {@code key}; register before trying. */
	CompletableFuture<Void> register(String key) {
		CompletableFuture<Void> signal = new CompletableFuture<>();
		this.waiting.computeIfAbsent(key, (k) -> ConcurrentHashMap.newKeySet()).add(signal);
		return signal;
	}

	void unregister(String key, CompletableFuture<Void> signal) {
		this.waiting.computeIfPresent(key, (k, set) -> {
			set.remove(signal);
			return set.isEmpty() ? null : set;
		});
	}

	void wake(String key) {
		Set<CompletableFuture<Void>> signals = this.waiting.get(key);
		if (signals != null) {
			signals.forEach((signal) -> signal.complete(null));
		}
	}

	void wakeAll() {
		this.waiting.values().forEach((signals) -> signals.forEach((signal) -> signal.complete(null)));
	}

}
