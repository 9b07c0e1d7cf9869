package io.valkeyrie.store.local;

import java.nio.ByteBuffer;

import io.valkeyrie.store.StoreConfigurationException;

/**
 * What the data map holds for a key: the value with its version and expiry, in a small
 * versioned binary envelope so the file format does not depend on Java serialization.
 *
 * @param index the key's {@code lastIndex}
 * @param expiresAt when the key expires (clock millis), {@code 0} for never
 * @param owner the session of the store that keeps the key alive, {@code 0} for none
 * @param ttlMillis the TTL the key was written with, {@code 0} for none
 * @param value the value; never modified once built, so it may be shared by pairs
 */
record Entry(long index, long expiresAt, long owner, long ttlMillis, byte[] value) {

	private static final byte FORMAT = 1;

	private static final int HEADER = 1 + 4 * Long.BYTES;

	/** Whether the key is gone for readers at {@code now}. */
	boolean isExpired(long now) {
		return this.expiresAt != 0 && this.expiresAt <= now;
	}

	/** The same entry with another expiry and owner (the version stays). */
	Entry withExpiry(long expiresAt, long owner) {
		return new Entry(this.index, expiresAt, owner, this.ttlMillis, this.value);
	}

	/** The size this entry takes in memory, roughly. */
	int weight() {
		return HEADER + this.value.length;
	}

	byte[] encode() {
		return ByteBuffer.allocate(HEADER + this.value.length)
			.put(FORMAT)
			.putLong(this.index)
			.putLong(this.expiresAt)
			.putLong(this.owner)
			.putLong(this.ttlMillis)
			.put(this.value)
			.array();
	}

	static Entry decode(byte[] bytes) {
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		byte format = buffer.get();
		if (format != FORMAT) {
			throw new StoreConfigurationException("Unknown local store entry format " + format
					+ "; the file was written by a newer valkeyrie");
		}
		long index = buffer.getLong();
		long expiresAt = buffer.getLong();
		long owner = buffer.getLong();
		long ttlMillis = buffer.getLong();
		byte[] value = new byte[buffer.remaining()];
		buffer.get(value);
		return new Entry(index, expiresAt, owner, ttlMillis, value);
	}

}
