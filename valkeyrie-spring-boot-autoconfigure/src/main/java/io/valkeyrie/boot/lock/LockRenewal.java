package io.valkeyrie.boot.lock;

/**
 * How a {@link ValkeyrieLockRegistry} keeps a held lock.
 */
public enum LockRenewal {

	/** The store renews a held lock until it is unlocked or lost (the default). */
	AUTOMATIC,

	/**
	 * Spring Integration's expiry model: a held lock expires its TTL after acquisition
	 * unless {@code renewLock} is called; an expired lock is released for others, and its
	 * {@code unlock} throws {@link LockLostException}. The store still renews the lock
	 * until then, so a crashed holder blocks others for the TTL, but at least the store's
	 * minimum lock TTL.
	 */
	MANUAL

}
