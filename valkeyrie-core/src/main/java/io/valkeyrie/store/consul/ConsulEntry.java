package io.valkeyrie.store.consul;

import org.jspecify.annotations.Nullable;

/**
 * One KV entry as Consul returns it.
 *
 * @param key the full Consul key
 * @param value the value, empty for none
 * @param flags the flags: for a TTL key written by valkeyrie, {@link #TTL_TAG} and its expiry
 * time (Unix milliseconds); for another key written by valkeyrie {@link #WRITE_TAG} and a
 * nonce; else whatever another client wrote (read as no TTL)
 * @param modifyIndex the Raft index of the last write
 * @param session the session holding the key, or {@code null}
 */
record ConsulEntry(String key, byte[] value, long flags, long modifyIndex, @Nullable String session) {

	/**
	 * Marks the flags of a TTL key in the top 12 bits, so that flags other Consul clients use
	 * are never taken for an expiry time (and their keys never swept).
	 */
	static final long TTL_TAG = 0x7A1L << 52;

	/**
	 * Marks the flags of a key without TTL; the rest is a nonce that differs from write to
	 * write, so that every write changes the entry: Consul skips a write that changes
	 * nothing and leaves its {@code ModifyIndex} as it was.
	 */
	static final long WRITE_TAG = 0x7A0L << 52;

	private static final long TAG_MASK = 0xFFFL << 52;

	/** The flags of a TTL key expiring at {@code expiryMillis}. */
	static long ttlFlags(long expiryMillis) {
		return TTL_TAG | expiryMillis;
	}

	/** The flags of a write without expiry time, carrying {@code nonce}. */
	static long writeFlags(long nonce) {
		return WRITE_TAG | (nonce & ~TAG_MASK);
	}

	/** The expiry time of a TTL key written by valkeyrie, 0 for any other key. */
	long expiryMillis() {
		return ((this.flags & TAG_MASK) == TTL_TAG) ? this.flags & ~TAG_MASK : 0;
	}

	/** Whether this is a TTL key whose time has passed (readers treat it as absent). */
	boolean expired(long nowMillis) {
		long expiry = expiryMillis();
		return expiry > 0 && expiry <= nowMillis;
	}

	boolean expired() {
		return expired(System.currentTimeMillis());
	}

}
