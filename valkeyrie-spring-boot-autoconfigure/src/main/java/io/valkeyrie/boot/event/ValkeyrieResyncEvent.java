package io.valkeyrie.boot.event;

import java.util.List;

import io.valkeyrie.store.KVPair;
import org.jspecify.annotations.Nullable;

/**
 * The whole current state of a watched key or directory. Published once when the watch
 * starts ({@link #isInitial()}), and again whenever changes may have been missed
 * (reconnect, session expiry, compaction): a listener that applies these and the
 * {@link ValkeyrieKeyChangedEvent}s always converges to the store's state.
 */
public class ValkeyrieResyncEvent extends ValkeyrieWatchEvent {

	private static final long serialVersionUID = 1L;

	private final transient List<KVPair> pairs;

	private final boolean initial;

	private final @Nullable String reason;

	/**
	 * Create an event.
	 * @param source the publisher
	 * @param watchedKey the watched key or directory
	 * @param tree whether a directory is watched
	 * @param pairs the current pairs, sorted by key
	 * @param initial whether this is the first state of the watch
	 * @param reason why the resync happened, {@code null} for the first state
	 */
	public ValkeyrieResyncEvent(Object source, String watchedKey, boolean tree, List<KVPair> pairs, boolean initial,
			@Nullable String reason) {
		super(source, watchedKey, tree);
		this.pairs = List.copyOf(pairs);
		this.initial = initial;
		this.reason = reason;
	}

	/** The current pairs, sorted by key; for a key watch empty (absent) or one pair. */
	public List<KVPair> getPairs() {
		return this.pairs;
	}

	/** Whether this is the first state of the watch rather than a resync after a gap. */
	public boolean isInitial() {
		return this.initial;
	}

	/** Why the resync happened (for logs), {@code null} for the first state. */
	public @Nullable String getReason() {
		return this.reason;
	}

	@Override
	public String toString() {
		return "ValkeyrieResyncEvent[" + getWatchedKey() + ", " + this.pairs.size() + " pairs"
				+ (this.initial ? ", initial" : ", resync: " + this.reason) + "]";
	}

}
