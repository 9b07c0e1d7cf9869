package io.valkeyrie.benchmarks.lock;

import java.util.List;

/**
 * One client of a lock implementation: our store, or a Spring Integration registry with
 * its connection. A client stands for one process; its {@link Locker}s for the threads of
 * that process.
 */
public interface LockClient extends AutoCloseable {

	/** The variants the lock benchmarks compare. */
	List<String> VARIANTS = List.of("ours-local", "ours-etcd", "ours-zookeeper", "ours-redis", "ours-consul", "si-redis-spin",
			"si-redis-pubsub", "si-zookeeper");

	/**
	 * A lock on {@code key} for one thread: a new {@code StoreLock} for ours, the registry's
	 * lock object for Spring Integration (which is shared by the threads and reentrant).
	 */
	Locker locker(String key);

	@Override
	void close();

	/**
	 * Open a client.
	 * @param variant one of {@link #VARIANTS}
	 * @return the client
	 */
	static LockClient open(String variant) {
		return switch (variant) {
			case "si-redis-spin" -> SpringIntegrationClient.redis(false);
			case "si-redis-pubsub" -> SpringIntegrationClient.redis(true);
			case "si-zookeeper" -> SpringIntegrationClient.zookeeper();
			default -> {
				if (!variant.startsWith("ours-")) {
					throw new IllegalArgumentException("Unknown lock variant " + variant);
				}
				yield new StoreLockClient(variant.substring("ours-".length()));
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
