package io.valkeyrie.benchmarks.kv;

/**
 * The four operations the overhead benchmark compares, done either through the
 * {@link io.valkeyrie.store.Store} or the way a user of the raw client would do the same
 * work on the same server. Keys are relative ({@code get/k}); each side keeps its own
 * namespace so the sides never read each other's data. Thread-safe.
 */
public interface Kv extends AutoCloseable {

	/** Read a key with a consistent read; returns what the client returned (to be consumed). */
	Object get(String key);

	/** Create or overwrite a key. */
	void put(String key, byte[] value);

	/**
	 * Write a key and return the token a first {@link #atomicPut} compares with (the
	 * {@code KVPair} for the store, the version for raw clients).
	 */
	Object create(String key, byte[] value);

	/**
	 * Compare-and-swap write against {@code previous}, failing if the key changed.
	 * @return the token of the new version
	 */
	Object atomicPut(String key, byte[] value, Object previous);

	/**
	 * Every key below {@code dir} with its value, as key strings and value bytes sorted by
	 * key (what a caller of a listing needs, and what the store's {@code KVPair}s hold);
	 * returns how many.
	 */
	int list(String dir);

	@Override
	void close();

	/**
	 * The side of a backend this JVM shares between benchmark runs (so in-process runs
	 * connect and seed once), closed when the JVM exits.
	 */
	static Kv shared(String backend, String side, String namespace) {
		return SharedKvs.get(backend, side, namespace);
	}

	/** Open one side of a backend: {@code ours} or {@code raw}. */
	static Kv open(String backend, String side, String namespace) {
		if (side.equals("ours")) {
			return new StoreKv(backend, namespace);
		}
		return switch (backend) {
			case "local" -> new MvStoreKv(namespace);
			case "etcd" -> new EtcdKv(namespace);
			case "zookeeper" -> new CuratorKv(namespace);
			case "redis" -> new LettuceKv(namespace);
			case "consul" -> new ConsulHttpKv(namespace);
			default -> throw new IllegalArgumentException("Unknown backend " + backend);
		};
	}

}
