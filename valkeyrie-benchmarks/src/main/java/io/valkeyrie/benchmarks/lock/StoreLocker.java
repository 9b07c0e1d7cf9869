package io.valkeyrie.benchmarks.lock;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreLock;

/** Our lock: a {@link StoreLock} with default options on its own store. */
final class StoreLocker implements Locker {

	private final Store store;

	private final StoreLock lock;

	StoreLocker(String backend, String key) {
		this.store = BenchServers.open(backend, "bench-locks");
		this.lock = this.store.newLock(key);
	}

	@Override
	public void lock() {
		this.lock.lock();
	}

	@Override
	public void unlock() {
		this.lock.unlock();
	}

	@Override
	public void close() {
		this.store.close();
	}

}
