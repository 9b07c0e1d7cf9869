package io.valkeyrie.store.consul;

import org.jspecify.annotations.Nullable;

/**
 * One KV entry as Consul returns it.
 *
 * @param key the full Consul key
 * @param value the value, empty for none
 * @param flags the flags: the expiry time (Unix milliseconds) of a TTL key, else 0
 * @param modifyIndex the Raft index of the last write
 * @param session the session holding the key, or {@code null}
 */
record ConsulEntry(String key, byte[] value, long flags, long modifyIndex, @Nullable String session) {

	/** Whether this is a TTL key whose time has passed (readers treat it as absent). */
	boolean expired(long nowMillis) {
		return this.flags > 0 && this.flags <= nowMillis;
	}

	boolean expired() {
		return expired(System.currentTimeMillis());
	}

}
