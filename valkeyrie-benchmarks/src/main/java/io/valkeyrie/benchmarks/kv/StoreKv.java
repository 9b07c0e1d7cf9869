package io.valkeyrie.benchmarks.kv;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.WriteOptions;

/** Our side: the public {@link Store} API, opened with {@code Stores.open}. */
final class StoreKv implements Kv {

	private final Store store;

	StoreKv(String backend, String namespace) {
		this.store = BenchServers.open(backend, namespace);
	}

	@Override
	public Object get(String key) {
		return this.store.get(key);
	}

	@Override
	public void put(String key, byte[] value) {
		this.store.put(key, value);
	}

	@Override
	public Object create(String key, byte[] value) {
		this.store.put(key, value);
		return this.store.get(key);
	}

	@Override
	public Object atomicPut(String key, byte[] value, Object previous) {
		return this.store.atomicPut(key, value, (KVPair) previous, WriteOptions.NONE);
	}

	@Override
	public int list(String dir) {
		return this.store.list(dir).size();
	}

	@Override
	public void close() {
		this.store.close();
	}

}
