package io.valkeyrie.store;

import java.time.Duration;
import java.util.Objects;

import io.valkeyrie.store.internal.BackendOptions;

import org.jspecify.annotations.Nullable;

/**
 * Options of a write ({@code put} and {@code atomicPut}).
 * <p>
 * Without a TTL the key is permanent, even if it had a TTL before. With a TTL the key
 * disappears for every client within TTL (plus about a second) after its last write. With
 * {@linkplain #keepAlive() keep-alive} the key instead lives while the writing store is open
 * and healthy, and disappears within TTL after it closes, crashes or loses the server.
 *
 * @param ttl how long the key lives after the write, or {@code null} for a permanent key
 * @param keepAlive whether the store keeps the key alive until it is closed (needs a TTL)
 */
public record WriteOptions(@Nullable Duration ttl, boolean keepAlive) {

	/** A permanent key. */
	public static final WriteOptions NONE = new WriteOptions(null, false);

	public WriteOptions {
		if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
			throw new IllegalArgumentException("'ttl' must be positive, was " + BackendOptions.format(ttl));
		}
		if (keepAlive && ttl == null) {
			throw new IllegalArgumentException("'keepAlive' needs a 'ttl': it says how long the key outlives its writer");
		}
	}

	/**
	 * A key that expires {@code ttl} after its last write.
	 * @param ttl the time to live
	 * @return the options
	 */
	public static WriteOptions ttl(Duration ttl) {
		return new WriteOptions(Objects.requireNonNull(ttl, "'ttl' must not be null"), false);
	}

	/**
	 * A key that lives while this store is open and disappears within {@code ttl} after it
	 * closes or loses the server.
	 * @param ttl how long the key outlives its writer
	 * @return the options
	 */
	public static WriteOptions keepAlive(Duration ttl) {
		return new WriteOptions(Objects.requireNonNull(ttl, "'ttl' must not be null"), true);
	}

	/** Whether the write has a TTL. */
	public boolean hasTtl() {
		return this.ttl != null;
	}

}
