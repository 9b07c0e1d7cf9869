package io.valkeyrie.store.fault;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.test.Timing;
import io.valkeyrie.store.test.WipeableServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server that loses its data (Redis without persistence restarted, a Consul {@code -dev}
 * agent restarted, etcd and ZooKeeper restarted on an empty data directory) while a store
 * is open: its watch is told the server lost its data and converges to the server's state,
 * and every {@code lastIndex} and fencing token after the loss is above every one seen
 * before. Each test starts its own server; the shared servers are never touched.
 */
class ServerDataLossTest {

	private static final int WRITES = 60;

	@TempDir
	Path dir;

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "redis", "etcd", "consul", "zookeeper" })
	void indexesAndTokensStayAboveEverythingSeenBeforeTheLoss(String backend) {
		try (WipeableServer server = WipeableServer.start(backend, this.dir)) {
			StoreConfig config = StoreConfig.builder(backend).endpoints(server.endpoint()).namespace("data-loss")
				.requestTimeout(Timing.seconds(5)).build();
			try (Store store = await().atMost(Timing.seconds(60)).ignoreExceptions().until(() -> ready(config), (s) -> true)) {
				long seen = 0;
				for (int i = 0; i < WRITES; i++) {
					store.put("tree/k" + (i % 7), bytes("v" + i));
					seen = Math.max(seen, store.get("tree/k" + (i % 7)).lastIndex());
				}
				StoreLock lock = store.newLock("the-lock");
				long token = 0;
				for (int i = 0; i < 3; i++) {
					LockLease lease = lock.lock();
					token = Math.max(token, lease.fencingToken());
					lock.unlock();
				}
				List<WatchEvent.Snapshot> snapshots = new CopyOnWriteArrayList<>();
				AtomicReference<NavigableMap<String, KVPair>> watched = new AtomicReference<>();
				try (Watch watch = store.watchTree("tree", (event) -> {
					if (event instanceof WatchEvent.Snapshot snapshot) {
						snapshots.add(snapshot);
					}
					watched.set(new TreeMap<>(event.current()));
				})) {
					await().atMost(Timing.seconds(30)).until(() -> !snapshots.isEmpty());
					seen = Math.max(seen, watch.lastIndex());

					server.wipeAndRestart();

					await().atMost(Timing.seconds(90))
						.untilAsserted(() -> assertThat(snapshots).as("resyncs of the watch")
							.anyMatch(WatchEvent.Snapshot::isServerDataLoss));
					assertThat(watched.get()).as("the watch's state after the server lost its data").isEmpty();

					long before = seen;
					KVPair created = await().atMost(Timing.seconds(60)).ignoreExceptions()
						.until(() -> store.atomicPut("tree/after", bytes("after"), null, io.valkeyrie.store.WriteOptions.NONE), (pair) -> true);
					assertThat(created.lastIndex()).as("lastIndex of a write after the loss").isGreaterThan(before);
					assertThat(store.get("tree/after").lastIndex()).isEqualTo(created.lastIndex());
					store.put("tree/k1", bytes("again"));
					assertThat(store.get("tree/k1").lastIndex()).isGreaterThan(created.lastIndex());

					long tokenBefore = token;
					LockLease lease = await().atMost(Timing.seconds(60)).ignoreExceptions().until(lock::lock, (l) -> true);
					assertThat(lease.fencingToken()).as("fencing token after the loss").isGreaterThan(tokenBefore);
					lock.unlock();

					await().atMost(Timing.seconds(30)).untilAsserted(() -> assertThat(indexes(watched.get()))
						.as("the watch converges to the server's state").isEqualTo(indexes(store.list("tree"))));
					assertThat(watch.lastIndex()).isGreaterThan(before);
				}
			}
		}
	}

	private static Store ready(StoreConfig config) {
		Store store = Stores.open(config);
		try {
			// A fresh Consul agent answers before it has elected itself: wait for a write to pass.
			store.put("ready", bytes("yes"));
			return store;
		}
		catch (RuntimeException ex) {
			store.close();
			throw ex;
		}
	}

	private static Map<String, Long> indexes(NavigableMap<String, KVPair> pairs) {
		return indexes(List.copyOf(pairs.values()));
	}

	private static Map<String, Long> indexes(List<KVPair> pairs) {
		return pairs.stream().collect(Collectors.toMap(KVPair::key, KVPair::lastIndex, (a, b) -> b, TreeMap::new));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
