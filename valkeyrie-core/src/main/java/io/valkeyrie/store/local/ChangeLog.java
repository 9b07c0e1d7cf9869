package io.valkeyrie.store.local;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The last changes of a database in memory, bounded by count and by bytes, so a watch can
 * resume from an index without a resync. Not thread-safe: used under the database's write
 * lock.
 */
final class ChangeLog {

	private final ArrayDeque<Committed> changes = new ArrayDeque<>();

	private final int maxChanges;

	private final long maxBytes;

	private long bytes;

	private long floor;

	/**
	 * @param maxChanges how many changes to keep
	 * @param maxBytes how many bytes of values to keep
	 * @param floor the index up to which nothing is logged (the database's index when opened)
	 */
	ChangeLog(int maxChanges, long maxBytes, long floor) {
		this.maxChanges = maxChanges;
		this.maxBytes = maxBytes;
		this.floor = floor;
	}

	void add(Committed change) {
		this.changes.addLast(change);
		this.bytes += change.weight();
		while (!this.changes.isEmpty() && (this.changes.size() > this.maxChanges || this.bytes > this.maxBytes)) {
			Committed evicted = this.changes.removeFirst();
			this.bytes -= evicted.weight();
			this.floor = evicted.index();
		}
	}

	/** Whether every change after {@code index} up to {@code current} is in the log. */
	boolean covers(long index, long current) {
		return index >= this.floor && index <= current;
	}

	/** The changes after {@code index}, oldest first. */
	List<Committed> after(long index) {
		List<Committed> after = new ArrayList<>();
		Iterator<Committed> newestFirst = this.changes.descendingIterator();
		while (newestFirst.hasNext()) {
			Committed change = newestFirst.next();
			if (change.index() <= index) {
				break;
			}
			after.add(change);
		}
		Collections.reverse(after);
		return after;
	}

	/**
	 * One committed change.
	 * @param key the full key (namespace included)
	 * @param entry the new entry, {@code null} for a delete or expiry
	 * @param index the index of the change
	 * @param previous the entry before the change, {@code null} if the key was absent
	 */
	record Committed(String key, @Nullable Entry entry, long index, @Nullable Entry previous) {

		int weight() {
			return 64 + 2 * this.key.length() + ((this.entry != null) ? this.entry.weight() : 0)
					+ ((this.previous != null) ? this.previous.weight() : 0);
		}

	}

}
