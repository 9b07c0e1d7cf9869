package io.valkeyrie.store.internal;

import java.util.List;
import java.util.NavigableMap;

import io.valkeyrie.store.KVPair;

import org.jspecify.annotations.Nullable;

/**
 * What a backend gives the {@link WatchHub}: reads of the current state, optionally history,
 * and notice of which keys and directories are watched (for backends that subscribe per
 * key or prefix). Changes themselves are pushed with {@link WatchHub#publishPut} and
 * {@link WatchHub#publishDelete}.
 */
public interface WatchSource {

	/**
	 * Read the current state of a key or subtree. Runs on a delivery thread and may block
	 * up to the store's request timeout.
	 * @param key the watched key or directory in normal form
	 * @param tree whether every key strictly below {@code key} is wanted, rather than the key
	 * @return the state, with the store-wide revision it was read at when the backend has one
	 */
	Snapshot snapshot(String key, boolean tree);

	/**
	 * The state at {@code index} and every change after it, for resuming a watch; or
	 * {@code null} where the backend keeps no such history (or it was compacted), in which
	 * case the watch starts with a resync snapshot.
	 * @param key the watched key or directory
	 * @param tree whether it is a tree watch
	 * @param index the last index the watcher saw
	 * @return the history, or {@code null}
	 */
	default @Nullable History history(String key, boolean tree, long index) {
		return null;
	}

	/**
	 * The first watch of {@code key} was registered. Called before its initial snapshot is
	 * read, so changes the backend starts to publish now are not missed.
	 */
	default void watched(String key, boolean tree) {
	}

	/** The last watch of {@code key} was closed. */
	default void unwatched(String key, boolean tree) {
	}

	/**
	 * A read state.
	 * @param pairs the pairs by key (for a key watch: none or the one key)
	 * @param revision the store-wide revision the state was read at, {@code 0} if unknown;
	 * when known, published changes with an index at or below it are already included
	 */
	record Snapshot(NavigableMap<String, KVPair> pairs, long revision) {
	}

	/**
	 * The state at an index and the changes after it.
	 * @param state the state at the index
	 * @param changes every change after the index, in order
	 * @param revision the revision the history reaches; published changes at or below it are
	 * included
	 */
	record History(NavigableMap<String, KVPair> state, List<Change> changes, long revision) {
	}

	/**
	 * One change.
	 * @param key the key in normal form
	 * @param pair the new pair, or {@code null} for a delete
	 * @param index the index of the change
	 */
	record Change(String key, @Nullable KVPair pair, long index) {
	}

}
