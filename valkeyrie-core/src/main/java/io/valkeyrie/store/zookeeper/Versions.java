package io.valkeyrie.store.zookeeper;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.zookeeper.data.Stat;

import org.jspecify.annotations.Nullable;

/**
 * The data version that goes with the {@code mzxid} of a key this store wrote or read a
 * moment ago, so that a compare-and-swap against that {@code lastIndex} can be one
 * versioned write instead of a read and a write. Within one znode, the data version moves
 * on with every write, so "the version is still v" is exactly "the last write is still the
 * one with that mzxid". A znode is only replaced by a new one (whose versions start again)
 * long after it was emptied ({@link Znodes#removeKey}: at least 60 s and four request
 * timeouts), so an entry is used only for one request timeout after its answer arrived:
 * the same bound a CAS that reads first relies on. Only plain keys are remembered (a TTL
 * or keep-alive key may be absent to readers while its bytes are unchanged).
 */
final class Versions {

	private static final int MAX_ENTRIES = 4096;

	private final long freshNanos;

	private final Map<String, Seen> seen = new ConcurrentHashMap<>();

	private record Seen(long mzxid, int version, long atNanos) {
	}

	/**
	 * @param freshNanos how long an entry may be used after its answer arrived
	 */
	Versions(long freshNanos) {
		this.freshNanos = freshNanos;
	}

	/** A plain key was written or read at {@code stat} (the answer just arrived). */
	void saw(String key, Stat stat) {
		if (this.seen.size() >= MAX_ENTRIES) {
			// Entries are useful for one request timeout only: dropping them all just costs reads.
			this.seen.clear();
		}
		this.seen.put(key, new Seen(stat.getMzxid(), stat.getVersion(), System.nanoTime()));
	}

	/** The key's znode changed in a way that makes it no plain key (TTL, keep-alive, deleted). */
	void forget(String key) {
		this.seen.remove(key);
	}

	/** The data version the key's znode has while its last write is the one at {@code mzxid}, if known and fresh. */
	@Nullable Integer versionAt(String key, long mzxid) {
		Seen entry = this.seen.get(key);
		if (entry == null || entry.mzxid() != mzxid || System.nanoTime() - entry.atNanos() > this.freshNanos) {
			return null;
		}
		return entry.version();
	}

}
