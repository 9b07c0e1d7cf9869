package io.valkeyrie.benchmarks.lock;

/** One thread's handle on a lock. */
public interface Locker {

	/** Block until the lock is held. */
	void lock();

	/** Release the lock. */
	void unlock();

}
