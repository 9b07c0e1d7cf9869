package io.valkeyrie.store.zookeeper;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.apache.zookeeper.data.Stat;

import org.jspecify.annotations.Nullable;

/**
 * The bytes a data znode holds. A znode with no data is a directory (it only has children)
 * and is not a key; a key's znode holds a small header and the value:
 * <pre>
 * 0xF5 (magic, never the first byte of UTF-8 text), flags, [ttl millis: 8 bytes if FLAG_TTL], value
 * 0xF5 0x04, owner id (8 bytes), value        (keep-alive key: alive while its owner's znode exists)
 * 0xF5 0x02                                  (only in journal entries: the key was deleted)
 * </pre>
 * The TTL is relative to the znode's {@code mtime} (stamped by the server), so the expiry
 * of a key does not depend on the writer's clock. Data without the magic byte (written by
 * another tool) reads as a plain permanent value.
 */
final class Envelope {

	static final byte[] DIRECTORY = new byte[0];

	private static final byte MAGIC = (byte) 0xF5;

	private static final byte FLAG_TTL = 0x01;

	private static final byte FLAG_DELETED = 0x02;

	private static final byte FLAG_OWNER = 0x04;

	/** The journal entry of a delete: the key's znode became a directory. */
	static final byte[] DELETED = { MAGIC, FLAG_DELETED };

	private final byte[] value;

	private final long ttlMillis;

	private final long owner;

	private Envelope(byte[] value, long ttlMillis, long owner) {
		this.value = value;
		this.ttlMillis = ttlMillis;
		this.owner = owner;
	}

	/** The bytes of a key with {@code value} and an optional TTL. */
	static byte[] encode(byte[] value, @Nullable Duration ttl) {
		ByteBuffer buffer = ByteBuffer.allocate(2 + ((ttl != null) ? 8 : 0) + value.length);
		buffer.put(MAGIC).put((ttl != null) ? FLAG_TTL : 0);
		if (ttl != null) {
			buffer.putLong(ttl.toMillis());
		}
		return buffer.put(value).array();
	}

	/** The bytes of a keep-alive key with {@code value}, alive while {@code owner}'s znode exists. */
	static byte[] encodeKeepAlive(byte[] value, long owner) {
		return ByteBuffer.allocate(10 + value.length).put(MAGIC).put(FLAG_OWNER).putLong(owner).put(value).array();
	}

	/** The key a znode's data holds, or {@code null} for a directory. */
	static @Nullable Envelope decode(byte @Nullable [] data) {
		if (data == null || data.length == 0) {
			return null;
		}
		if (data[0] != MAGIC || data.length < 2) {
			return new Envelope(data, 0, 0);
		}
		if (isDeletion(data)) {
			return null;
		}
		boolean ttl = (data[1] & FLAG_TTL) != 0;
		boolean owned = (data[1] & FLAG_OWNER) != 0;
		int header = 2 + ((ttl || owned) ? 8 : 0);
		if (data.length < header) {
			return new Envelope(data, 0, 0);
		}
		long word = (ttl || owned) ? ByteBuffer.wrap(data, 2, 8).getLong() : 0;
		byte[] value = new byte[data.length - header];
		System.arraycopy(data, header, value, 0, value.length);
		return new Envelope(value, ttl ? word : 0, owned ? word : 0);
	}

	/** Whether a key's bytes hold a plain value: neither TTL nor owner (nor a directory or a delete mark). */
	static boolean isPlain(byte[] data) {
		return data.length > 0 && (data[0] != MAGIC || data.length < 2 || data[1] == 0);
	}

	/** Whether journaled bytes record a delete. */
	static boolean isDeletion(byte @Nullable [] data) {
		return data != null && data.length == 2 && data[0] == MAGIC && data[1] == FLAG_DELETED;
	}

	/** The largest header {@link #encode} adds. */
	static int maxOverhead() {
		return 10;
	}

	byte[] value() {
		return this.value;
	}

	/** The owner id of a keep-alive key, 0 for other keys. */
	long owner() {
		return this.owner;
	}

	boolean hasTtl() {
		return this.ttlMillis > 0;
	}

	long ttlMillis() {
		return this.ttlMillis;
	}

	/** When a TTL key written at {@code stat}'s mtime expires (epoch millis). */
	long expiresAt(Stat stat) {
		return stat.getMtime() + this.ttlMillis;
	}

	boolean isExpired(Stat stat, long nowMillis) {
		return hasTtl() && expiresAt(stat) <= nowMillis;
	}

}
