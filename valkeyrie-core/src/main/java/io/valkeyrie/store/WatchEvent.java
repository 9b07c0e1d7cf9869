package io.valkeyrie.store;

import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * What a watch delivers: a {@link Snapshot} of the current state first (and again, marked
 * as a resync, whenever changes may have been missed), then one {@link Put} or
 * {@link Delete} per change, in order.
 * <p>
 * Every event gives the state of the watched key or subtree right after it through
 * {@link #current()}, so a consumer never diffs snapshots. {@code current()} of a
 * {@code Put} or {@code Delete} is built on demand and only while the listener is handling
 * that event; calling it later throws {@link IllegalStateException}.
 */
public sealed interface WatchEvent permits WatchEvent.Snapshot, WatchEvent.Put, WatchEvent.Delete {

	/** The watched key (for {@code watch}) or directory (for {@code watchTree}), in normal form. */
	String watchedKey();

	/** The state of the watched key or subtree right after this event, sorted by key. */
	NavigableMap<String, KVPair> current();

	/**
	 * The whole state of the watched key or subtree: delivered first, and again after any
	 * gap in which changes may have been missed (reconnect, session expiry, compaction).
	 */
	final class Snapshot implements WatchEvent {

		/**
		 * What the {@link #reason()} of a resync starts with when the server lost the
		 * namespace's data (a restart without persistence, a wiped data directory): the
		 * snapshot is the server's state now, and indexes continue above every index seen
		 * before (see {@link #isServerDataLoss()}).
		 */
		public static final String SERVER_LOST_DATA = "the server lost its data";

		private final String watchedKey;

		private final NavigableMap<String, KVPair> pairs;

		private final boolean resync;

		private final @Nullable String reason;

		public Snapshot(String watchedKey, NavigableMap<String, KVPair> pairs, boolean resync, @Nullable String reason) {
			this.watchedKey = Objects.requireNonNull(watchedKey);
			this.pairs = java.util.Collections.unmodifiableNavigableMap(pairs);
			this.resync = resync;
			this.reason = reason;
		}

		@Override
		public String watchedKey() {
			return this.watchedKey;
		}

		@Override
		public NavigableMap<String, KVPair> current() {
			return this.pairs;
		}

		/** The pairs of the state, sorted by key; for a key watch empty (absent) or one pair. */
		public List<KVPair> pairs() {
			return List.copyOf(this.pairs.values());
		}

		/**
		 * Whether this snapshot follows a gap in which changes may have been missed, rather
		 * than being the first state of the watch.
		 */
		public boolean isResync() {
			return this.resync;
		}

		/** Why the resync happened (for logs), or {@code null} for the first snapshot. */
		public @Nullable String reason() {
			return this.reason;
		}

		/**
		 * Whether this resync follows a loss of the server's data (its reason starts with
		 * {@link #SERVER_LOST_DATA}): keys written before may be gone, and pairs read before
		 * no longer match in compare-and-swap calls.
		 */
		public boolean isServerDataLoss() {
			return this.resync && this.reason != null && this.reason.startsWith(SERVER_LOST_DATA);
		}

		@Override
		public String toString() {
			return "Snapshot[" + this.watchedKey + ", " + this.pairs.size() + " pairs"
					+ (this.resync ? ", resync: " + this.reason : "") + "]";
		}

	}

	/** A key was created or written (also when the value did not change). */
	final class Put implements WatchEvent {

		private final String watchedKey;

		private final KVPair pair;

		private final Supplier<NavigableMap<String, KVPair>> current;

		public Put(String watchedKey, KVPair pair, Supplier<NavigableMap<String, KVPair>> current) {
			this.watchedKey = Objects.requireNonNull(watchedKey);
			this.pair = Objects.requireNonNull(pair);
			this.current = current;
		}

		@Override
		public String watchedKey() {
			return this.watchedKey;
		}

		/** The key that changed, in normal form. */
		public String key() {
			return this.pair.key();
		}

		/** The new pair (key, value, index). */
		public KVPair pair() {
			return this.pair;
		}

		/** The index of this write. */
		public long lastIndex() {
			return this.pair.lastIndex();
		}

		@Override
		public NavigableMap<String, KVPair> current() {
			return this.current.get();
		}

		@Override
		public String toString() {
			return "Put[" + this.pair + "]";
		}

	}

	/** A key was deleted, or expired. */
	final class Delete implements WatchEvent {

		private final String watchedKey;

		private final String key;

		private final long lastIndex;

		private final @Nullable KVPair previous;

		private final Supplier<NavigableMap<String, KVPair>> current;

		public Delete(String watchedKey, String key, long lastIndex, @Nullable KVPair previous,
				Supplier<NavigableMap<String, KVPair>> current) {
			this.watchedKey = Objects.requireNonNull(watchedKey);
			this.key = Objects.requireNonNull(key);
			this.lastIndex = lastIndex;
			this.previous = previous;
			this.current = current;
		}

		@Override
		public String watchedKey() {
			return this.watchedKey;
		}

		/** The key that was deleted, in normal form. */
		public String key() {
			return this.key;
		}

		/**
		 * The index of the deletion where the backend reports one, otherwise the last index
		 * the key had.
		 */
		public long lastIndex() {
			return this.lastIndex;
		}

		/** The pair as the watch last saw it, or {@code null} if it never saw it. */
		public @Nullable KVPair previous() {
			return this.previous;
		}

		@Override
		public NavigableMap<String, KVPair> current() {
			return this.current.get();
		}

		@Override
		public String toString() {
			return "Delete[" + this.key + ", lastIndex=" + this.lastIndex + "]";
		}

	}

}
