package io.valkeyrie.boot.docker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.test.Timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a store connected to a container must do, shared by the service-connection tests. */
public final class StoreChecks {

	/** How long an event may take on a loaded machine. */
	public static final Duration WAIT = Timing.seconds(30);

	private StoreChecks() {
	}

	/**
	 * A value put under a fresh key is read back.
	 * @param store the store
	 * @param prefix the key prefix of the test
	 */
	public static void putThenGet(Store store, String prefix) {
		String key = prefix + "/" + UUID.randomUUID();
		store.put(key, "from a container");
		assertThat(store.get(key).valueAsString()).isEqualTo("from a container");
	}

	/**
	 * A watch of a fresh key first reports it empty, then reports a put.
	 * @param store the store
	 * @param prefix the key prefix of the test
	 */
	public static void watchSeesTheCurrentStateThenEveryChange(Store store, String prefix) {
		String key = prefix + "/watched-" + UUID.randomUUID();
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		try (Watch watch = store.watch(key, events::add)) {
			await().atMost(WAIT).until(() -> !events.isEmpty());
			assertThat(events.get(0)).isInstanceOfSatisfying(WatchEvent.Snapshot.class,
					(snapshot) -> assertThat(snapshot.pairs()).isEmpty());
			store.put(key, "1");
			await().atMost(WAIT)
				.until(() -> events.stream()
					.anyMatch((event) -> event instanceof WatchEvent.Put put && put.pair().valueAsString().equals("1")));
		}
	}

	/**
	 * A lock held by one holder is refused to a second until the first unlocks, and the
	 * second lease's fencing token is higher.
	 * @param store the store
	 * @param prefix the key prefix of the test
	 */
	public static void lockExcludesASecondHolderUntilUnlocked(Store store, String prefix) {
		String key = prefix + "/lock-" + UUID.randomUUID();
		StoreLock first = store.newLock(key);
		StoreLock second = store.newLock(key);
		LockLease lease = first.lock();
		assertThat(lease.fencingToken()).isPositive();
		assertThat(second.tryLock()).isEmpty();
		first.unlock();
		Optional<LockLease> next = second.tryLock(WAIT);
		assertThat(next).hasValueSatisfying(
				(secondLease) -> assertThat(secondLease.fencingToken()).isGreaterThan(lease.fencingToken()));
		second.unlock();
	}

}
