package io.valkeyrie.store.local;

import java.util.ArrayList;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.valkeyrie.store.local.ChangeLog.Committed;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

import org.jspecify.annotations.Nullable;

/**
 * The keys of a database: the {@code data} map (full key to {@link Entry}) and its two
 * indexes, {@code expiries} (keys by expiry time, so the sweeper reads only what is due) and
 * {@code keepAlive} (keys owned by an open store). Reads are lock-free; every change runs
 * under the database's write lock, takes a new index and is reported as a {@link Committed}
 * change (published once the write commits).
 */
final class DataTable {

	private volatile MVMap<String, byte[]> data;

	/** {@code <16 hex digits of expiresAt><full key>}, ordered by expiry. */
	private volatile MVMap<String, String> expiries;

	/** Full key to the session keeping it alive. */
	private volatile MVMap<String, Long> keepAlive;

	private final LongSupplier nextIndex;

	private final Consumer<Committed> changes;

	DataTable(MVStore store, LongSupplier nextIndex, Consumer<Committed> changes) {
		this.nextIndex = nextIndex;
		this.changes = changes;
		bind(store);
	}

	/** Use the maps of {@code store} (the database's file was opened again). */
	void bind(MVStore store) {
		this.data = store.openMap("data",
				new MVMap.Builder<String, byte[]>().keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
		this.expiries = store.openMap("expiries",
				new MVMap.Builder<String, String>().keyType(StringDataType.INSTANCE).valueType(StringDataType.INSTANCE));
		this.keepAlive = store.openMap("keepAlive",
				new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE).valueType(LongDataType.INSTANCE));
	}

	/** The stored entry of a key, expired or not. */
	@Nullable Entry raw(String key) {
		byte[] bytes = this.data.get(key);
		return (bytes != null) ? Entry.decode(bytes) : null;
	}

	/** Every stored entry whose key starts with {@code prefix}, expired or not. */
	NavigableMap<String, Entry> rawBelow(String prefix) {
		NavigableMap<String, Entry> entries = new TreeMap<>();
		forEach(prefix, entries::put);
		return entries;
	}

	/** Every live entry whose key starts with {@code prefix}, in key order. */
	void forEachLive(String prefix, long now, BiConsumer<String, Entry> action) {
		forEach(prefix, (key, entry) -> {
			if (!entry.isExpired(now)) {
				action.accept(key, entry);
			}
		});
	}

	/** The entry of a key under the write lock; an expired one is removed first (with its event). */
	@Nullable Entry live(String key, long now) {
		Entry entry = raw(key);
		if (entry != null && entry.isExpired(now)) {
			remove(key, entry);
			return null;
		}
		return entry;
	}

	void put(String key, Entry entry, @Nullable Entry old) {
		this.data.put(key, entry.encode());
		if (old != null && old.expiresAt() != 0) {
			this.expiries.remove(expiryKey(old.expiresAt(), key));
		}
		if (entry.expiresAt() != 0) {
			this.expiries.put(expiryKey(entry.expiresAt(), key), "");
		}
		if (entry.owner() != 0) {
			this.keepAlive.put(key, entry.owner());
		}
		else if (old != null && old.owner() != 0) {
			this.keepAlive.remove(key);
		}
		this.changes.accept(new Committed(key, entry, entry.index(), old));
	}

	void remove(String key, Entry old) {
		long index = this.nextIndex.getAsLong();
		this.data.remove(key);
		if (old.expiresAt() != 0) {
			this.expiries.remove(expiryKey(old.expiresAt(), key));
		}
		if (old.owner() != 0) {
			this.keepAlive.remove(key);
		}
		this.changes.accept(new Committed(key, null, index, old));
	}

	/** Whether a key has expired at {@code now} and is still to be removed (a lock-free look). */
	boolean hasDue(long now) {
		return !this.expiries.isEmpty() && expiryOf(this.expiries.firstKey()) <= now;
	}

	/** Remove every key expired at {@code now}, each with its delete event. */
	void removeDue(long now) {
		String next = this.expiries.isEmpty() ? null : this.expiries.firstKey();
		while (next != null && expiryOf(next) <= now) {
			String key = next.substring(16);
			Entry entry = raw(key);
			if (entry != null && entry.expiresAt() == expiryOf(next)) {
				remove(key, entry);
			}
			else {
				// An index entry the key has moved on from.
				this.expiries.remove(next);
			}
			next = this.expiries.higherKey(next);
		}
	}

	/**
	 * Give every key kept alive by a store of a process that is gone an expiry of
	 * {@code now} plus its TTL. Called when the database is opened: no other process can
	 * have been using the file, so every owner in it is dead.
	 */
	void expireOrphans(long now) {
		for (String key : new ArrayList<>(this.keepAlive.keySet())) {
			Entry entry = raw(key);
			if (entry != null && entry.owner() != 0) {
				long expiresAt = LocalDatabase.saturatedAdd(now, entry.ttlMillis());
				this.data.put(key, entry.withExpiry(expiresAt, 0).encode());
				this.expiries.put(expiryKey(expiresAt, key), "");
			}
			this.keepAlive.remove(key);
		}
	}

	private void forEach(String prefix, BiConsumer<String, Entry> action) {
		Cursor<String, byte[]> cursor = this.data.cursor(prefix);
		while (cursor.hasNext()) {
			String key = cursor.next();
			if (!key.startsWith(prefix)) {
				break;
			}
			action.accept(key, Entry.decode(cursor.getValue()));
		}
	}

	private static String expiryKey(long expiresAt, String key) {
		String hex = Long.toHexString(expiresAt);
		return "0".repeat(16 - hex.length()) + hex + key;
	}

	private static long expiryOf(String expiryKey) {
		return Long.parseUnsignedLong(expiryKey, 0, 16, 16);
	}

}
