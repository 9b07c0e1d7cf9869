package io.valkeyrie.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A key/value store with compare-and-swap, TTL keys, watches and locks, with the same
 * behaviour on every backend (local, Consul, etcd, ZooKeeper, Redis).
 * <p>
 * <b>Keys</b> are paths of {@code /}-separated segments; {@code a/b}, {@code /a/b} and
 * {@code a/b/} are the same key and every key the store returns is in the normal form
 * {@code a/b}, relative to the store's namespace. Invalid keys fail with
 * {@link InvalidKeyException} before any I/O. Keys are independent: {@code a} and
 * {@code a/b} can both hold values.
 * <p>
 * <b>Errors</b> are unchecked and all extend {@link StoreException}. Every call is bounded
 * by the store's request timeout and fails with {@link StoreUnavailableException} when the
 * backend cannot be reached; the store reconnects by itself.
 * <p>
 * A store is thread-safe and meant to be shared; {@link #close()} releases held locks and
 * stops watches and keep-alives.
 */
public interface Store extends AutoCloseable {

	/** The backend name: {@code local}, {@code consul}, {@code etcd}, {@code zookeeper} or {@code redis}. */
	String backend();

	/** The namespace (root path) every key of this store lives under; empty for the root. */
	String namespace();

	/** The smallest TTL the backend can honour; smaller TTLs fail with {@link InvalidTtlException}. */
	Duration minimumTtl();

	/**
	 * The smallest TTL of a lock that renews itself ({@link LockOptions#renew()}): one the
	 * store can keep renewing on a busy machine, renewing every third of it. The larger of
	 * {@link #minimumTtl()} and one second; smaller TTLs of renewed locks fail with
	 * {@link InvalidTtlException}.
	 */
	default Duration minimumLockTtl() {
		Duration min = minimumTtl();
		// Renewed every third of the TTL, a one-second lock survives a 600 ms stall of the renewing thread.
		return (min.compareTo(Duration.ofSeconds(1)) < 0) ? Duration.ofSeconds(1) : min;
	}

	/** The largest value this store accepts, in bytes. */
	int maxValueSize();

	/** The server addresses this store talks to, with any credentials masked. */
	List<String> endpoints();

	/**
	 * What the server says about itself, for health checks and diagnostics: for example
	 * {@code version} and {@code leader}, as far as the backend tells. Makes one round trip,
	 * bounded by the request timeout. Never contains credentials.
	 * @return the details, by name
	 * @throws StoreUnavailableException if the server cannot be reached
	 */
	java.util.Map<String, Object> serverInfo();

	/**
	 * Create or overwrite a permanent key.
	 * @param key the key
	 * @param value the value; {@code null} is stored as empty
	 */
	default void put(String key, byte @Nullable [] value) {
		put(key, value, WriteOptions.NONE);
	}

	/**
	 * Create or overwrite a permanent key with a UTF-8 string value.
	 * @param key the key
	 * @param value the value
	 */
	default void put(String key, String value) {
		put(key, value.getBytes(StandardCharsets.UTF_8), WriteOptions.NONE);
	}

	/**
	 * Create or overwrite a key. Without a TTL in {@code options} the key becomes permanent,
	 * even if it had a TTL before.
	 * @param key the key
	 * @param value the value; {@code null} is stored as empty
	 * @param options TTL and keep-alive
	 * @throws ValueTooLargeException if the value is larger than {@link #maxValueSize()}
	 * @throws InvalidTtlException if the TTL is below {@link #minimumTtl()}
	 */
	void put(String key, byte @Nullable [] value, WriteOptions options);

	/**
	 * Read a key with a consistent read.
	 * @param key the key
	 * @return the pair
	 * @throws KeyNotFoundException if the key does not exist
	 */
	default KVPair get(String key) {
		return get(key, ReadOptions.CONSISTENT);
	}

	/**
	 * Read a key.
	 * @param key the key
	 * @param options consistent or possibly stale
	 * @return the pair
	 * @throws KeyNotFoundException if the key does not exist
	 */
	KVPair get(String key, ReadOptions options);

	/**
	 * Read a key that may be absent, without an exception for the absent case.
	 * @param key the key
	 * @return the pair, or empty
	 */
	Optional<KVPair> find(String key);

	/**
	 * Whether a key exists (consistent read); never throws for a missing key.
	 * @param key the key
	 * @return whether it exists
	 */
	default boolean exists(String key) {
		return exists(key, ReadOptions.CONSISTENT);
	}

	/**
	 * Whether a key exists; never throws for a missing key.
	 * @param key the key
	 * @param options consistent or possibly stale
	 * @return whether it exists
	 */
	boolean exists(String key, ReadOptions options);

	/**
	 * Delete one key; keys below it stay.
	 * @param key the key
	 * @throws KeyNotFoundException if it did not exist
	 */
	void delete(String key);

	/**
	 * Every key strictly below {@code dir}, at any depth, sorted by key, with a consistent
	 * read. {@code dir} itself is never listed, nor keys that merely share a string prefix.
	 * @param dir the directory; empty or {@code /} for the whole namespace
	 * @return the pairs, empty if {@code dir} exists with nothing below it
	 * @throws KeyNotFoundException if nothing exists at or below {@code dir}
	 */
	default List<KVPair> list(String dir) {
		return list(dir, ReadOptions.CONSISTENT);
	}

	/**
	 * Every key strictly below {@code dir}; see {@link #list(String)}.
	 * @param dir the directory; empty or {@code /} for the whole namespace
	 * @param options consistent or possibly stale
	 * @return the pairs sorted by key
	 * @throws KeyNotFoundException if nothing exists at or below {@code dir}
	 */
	List<KVPair> list(String dir, ReadOptions options);

	/**
	 * Delete {@code dir} and every key below it.
	 * @param dir the directory; empty or {@code /} for the whole namespace
	 * @throws KeyNotFoundException if nothing was there
	 */
	void deleteTree(String dir);

	/**
	 * Compare-and-swap write.
	 * @param key the key
	 * @param value the new value; {@code null} is stored as empty
	 * @param previous {@code null} to create the key only if it is absent; otherwise the pair
	 * whose {@code lastIndex} the key must still have
	 * @param options TTL and keep-alive
	 * @return the new pair
	 * @throws KeyExistsException if {@code previous} is {@code null} and the key exists
	 * @throws KeyModifiedException if the key's {@code lastIndex} differs from {@code previous}'s
	 * @throws KeyNotFoundException if {@code previous} is given and the key is gone
	 */
	KVPair atomicPut(String key, byte @Nullable [] value, @Nullable KVPair previous, WriteOptions options);

	/**
	 * Compare-and-swap delete.
	 * @param key the key
	 * @param previous the pair whose {@code lastIndex} the key must still have
	 * @throws PreviousNotSpecifiedException if {@code previous} is {@code null}
	 * @throws KeyNotFoundException if the key does not exist
	 * @throws KeyModifiedException if the key's {@code lastIndex} differs from {@code previous}'s
	 */
	void atomicDelete(String key, @Nullable KVPair previous);

	/**
	 * Watch one key: first its current state (a {@link WatchEvent.Snapshot} with the pair,
	 * or empty when absent), then every put and delete (including TTL expiry), in order,
	 * across deletion and re-creation.
	 * @param key the key
	 * @param listener receives the events
	 * @return the running watch; close it to stop
	 */
	default Watch watch(String key, WatchListener listener) {
		return watch(key, WatchOptions.DEFAULTS, listener);
	}

	/**
	 * Watch one key; see {@link #watch(String, WatchListener)}.
	 * @param key the key
	 * @param options executor and resume index
	 * @param listener receives the events
	 * @return the running watch
	 */
	Watch watch(String key, WatchOptions options, WatchListener listener);

	/**
	 * Watch every key strictly below {@code dir} at any depth: first the current subtree
	 * (possibly empty; the directory need not exist yet), then one event per change.
	 * @param dir the directory; empty or {@code /} for the whole namespace
	 * @param listener receives the events
	 * @return the running watch; close it to stop
	 */
	default Watch watchTree(String dir, WatchListener listener) {
		return watchTree(dir, WatchOptions.DEFAULTS, listener);
	}

	/**
	 * Watch a subtree; see {@link #watchTree(String, WatchListener)}.
	 * @param dir the directory
	 * @param options executor and resume index
	 * @param listener receives the events
	 * @return the running watch
	 */
	Watch watchTree(String dir, WatchOptions options, WatchListener listener);

	/**
	 * A lock on {@code key} with default options, not yet held.
	 * @param key the key
	 * @return the lock
	 */
	default StoreLock newLock(String key) {
		return newLock(key, LockOptions.DEFAULTS);
	}

	/**
	 * A lock on {@code key}, not yet held.
	 * @param key the key
	 * @param options value, TTL, renewal and delete-on-unlock
	 * @return the lock
	 * @throws InvalidTtlException if the TTL is below {@link #minimumTtl()}, or below
	 * {@link #minimumLockTtl()} for a lock that renews itself
	 */
	StoreLock newLock(String key, LockOptions options);

	/** Whether {@link #close()} has been called. */
	boolean isClosed();

	/**
	 * Release held locks, stop watches and keep-alives, and disconnect. Idempotent. Later
	 * calls fail with {@link StoreClosedException}, and so do calls and lock waits in flight,
	 * at once. Every held lease is told it is lost ({@link LockLoss.Reason#STORE_CLOSED}); the
	 * releases go out together, and the whole close takes about one request timeout at most: a lock
	 * whose release the server did not confirm by then is freed by the server's expiry (TTL,
	 * lease or session).
	 */
	@Override
	void close();

}
