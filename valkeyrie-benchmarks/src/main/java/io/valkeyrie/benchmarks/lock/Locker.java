package io.valkeyrie.benchmarks.lock;

/** One thread's handle on a lock. */
public interface Locker {

	/** Block until the lock is held. */
	void lock();

	/** Release the lock. */
	void unlock();

	/** A locker from its two operations. */
	static Locker of(Runnable lock, Runnable unlock) {
		return new Locker() {

			@Override
			public void lock() {
				lock.run();
			}

			@Override
			public void unlock() {
				unlock.run();
			}

		};
	}

}
