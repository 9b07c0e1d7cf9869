package io.valkeyrie.benchmarks.lock;

/**
 * One client's lock on one key: ours ({@code StoreLock}) or a Spring Integration
 * {@code LockRegistry} lock. Each locker has its own client, like a separate process.
 */
public interface Locker extends AutoCloseable {

	/** The variants the lock benchmarks compare. */
	java.util.List<String> VARIANTS = java.util.List.of("ours-local", "ours-etcd", "ours-zookeeper", "ours-redis",
			"ours-consul", "si-redis-spin", "si-redis-pubsub", "si-zookeeper");

	/** Block until the lock is held. */
	void lock();

	/** Release the lock. */
	void unlock();

	@Override
	void close();

	/**
	 * Open a locker with its own client.
	 * @param variant one of {@link #VARIANTS}
	 * @param key the lock key
	 * @return the locker
	 */
	static Locker open(String variant, String key) {
		return switch (variant) {
			case "si-redis-spin" -> SpringIntegrationLocker.redis(key, false);
			case "si-redis-pubsub" -> SpringIntegrationLocker.redis(key, true);
			case "si-zookeeper" -> SpringIntegrationLocker.zookeeper(key);
			default -> {
				if (!variant.startsWith("ours-")) {
					throw new IllegalArgumentException("Unknown lock variant " + variant);
				}
				yield new StoreLocker(variant.substring("ours-".length()), key);
			}
		};
	}

	/** The backend a variant runs on. */
	static String backend(String variant) {
		String rest = variant.substring(variant.indexOf('-') + 1);
		int dash = rest.indexOf('-');
		return (dash < 0) ? rest : rest.substring(0, dash);
	}

}
