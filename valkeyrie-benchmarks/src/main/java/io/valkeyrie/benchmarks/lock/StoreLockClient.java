package io.valkeyrie.benchmarks.lock;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreLock;

/** Our side: a store; each locker is a {@link StoreLock} with default options. */
final class StoreLockClient implements LockClient {

	private final Store store;

	StoreLockClient(String backend) {
		this.store = BenchServers.open(backend, "bench-locks");
	}

	@Override
	public Locker locker(String key) {
		StoreLock lock = this.store.newLock(key);
		return Locker.of(lock::lock, lock::unlock);
	}

	@Override
	public void close() {
		this.store.close();
	}

}
