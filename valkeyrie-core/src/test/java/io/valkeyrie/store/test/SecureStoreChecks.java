package io.valkeyrie.store.test;

import java.time.Duration;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WriteOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The representative subset of the contract a secured connection must carry: one call of
 * every kind the store makes to its server (read, write, prefix listing, compare-and-set,
 * the watch stream, a lock with its lease, a TTL key). The full contract runs on the plain
 * test servers; what TLS and authentication can break is whether each kind of call is let
 * through, not its semantics.
 */
public final class SecureStoreChecks {

	private SecureStoreChecks() {
	}

	/**
	 * No secret appears in the failure's messages and stack trace, nor in the configuration's
	 * {@code toString()}.
	 */
	public static void assertNoSecret(Throwable failure, io.valkeyrie.store.StoreConfig config, String... secrets) {
		java.io.StringWriter trace = new java.io.StringWriter();
		failure.printStackTrace(new java.io.PrintWriter(trace));
		for (String secret : secrets) {
			assertThat(trace.toString()).as("the failure").doesNotContain(secret);
			assertThat(config.toString()).as("the configuration").doesNotContain(secret);
		}
	}

	/** Run every kind of call through the store, under {@code dir}. */
	public static void exercise(Store store, String dir) {
		// The state each event showed; current() is only readable while the listener runs.
		List<NavigableMap<String, KVPair>> states = new CopyOnWriteArrayList<>();
		try (Watch watch = store.watchTree(dir, (event) -> states.add(new TreeMap<>(event.current())))) {
			store.put(dir + "/a", "1");
			assertThat(store.get(dir + "/a").valueAsString()).isEqualTo("1");
			KVPair created = store.atomicPut(dir + "/b", "2".getBytes(), null, WriteOptions.NONE);
			store.atomicPut(dir + "/b", "3".getBytes(), created, WriteOptions.NONE);
			assertThatExceptionOfType(KeyModifiedException.class)
				.isThrownBy(() -> store.atomicPut(dir + "/b", "4".getBytes(), created, WriteOptions.NONE));
			assertThat(store.list(dir)).extracting(KVPair::key).contains(dir + "/a", dir + "/b");
			await().atMost(Timing.seconds(20))
				.until(() -> states.stream()
					.anyMatch((state) -> state.containsKey(dir + "/b") && "3".equals(state.get(dir + "/b").valueAsString())));
			StoreLock lock = store.newLock(dir + "/lock");
			LockLease lease = lock.lock();
			assertThat(lease).isNotNull();
			assertThat(lock.isHeld()).isTrue();
			lock.unlock();
			Duration ttl = store.minimumTtl().compareTo(Duration.ofSeconds(1)) > 0 ? store.minimumTtl()
					: Duration.ofSeconds(1);
			store.put(dir + "/ttl", "gone soon".getBytes(), WriteOptions.ttl(ttl));
			await().atMost(ttl.multipliedBy(10).plus(Timing.seconds(20))).until(() -> !store.exists(dir + "/ttl"));
			store.deleteTree(dir);
			assertThat(store.exists(dir + "/a")).isFalse();
		}
	}

}
