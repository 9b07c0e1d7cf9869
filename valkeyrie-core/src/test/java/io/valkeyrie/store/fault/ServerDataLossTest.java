package io.valkeyrie.store.fault;

import java.nio.charset.StandardCharsets;
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
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.test.CrashableServer;
import io.valkeyrie.store.test.Timing;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server that loses its data (restarted on an empty data folder,
 * {@link CrashableServer#wipeAndRestart()}) while a store is open: its watch is told the server lost its data and converges to the server's state,
 * and every {@code lastIndex} and fencing token after the loss is above every one seen
 * before. Each test starts its own server; the shared servers are never touched.
 */
@ServerUse(shared = {})
class ServerDataLossTest {

	private static final int WRITES = 60;

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "redis", "etcd", "consul", "zookeeper" })
	void indexesAndTokensStayAboveEverythingSeenBeforeTheLoss(String backend) {
		try (CrashableServer server = CrashableServer.start(backend)) {
			StoreConfig config = StoreConfig.builder(backend).endpoints(server.endpoint()).namespace("data-loss")
				.requestTimeout(Timing.seconds(5)).build();
			try (Client first = new Client(config); Client second = new Client(config)) {
				// The second client sees more than the first: whichever notices the loss first, both
				// must end above everything either saw.
				first.writeAndLock(WRITES);
				second.writeAndLock(WRITES);
				first.watch();
				second.watch();
				long seen = Math.max(first.seen, second.seen);
				long tokens = Math.max(first.token, second.token);

				server.wipeAndRestart();

				for (Client client : List.of(first, second)) {
					await().atMost(Timing.seconds(90)).untilAsserted(() -> assertThat(client.snapshots).as("resyncs of the watch")
						.anyMatch(WatchEvent.Snapshot::isServerDataLoss));
				}
				assertThat(first.watched.get()).as("the watch's state after the server lost its data").isEmpty();
				for (Client client : List.of(first, second)) {
					KVPair created = await().atMost(Timing.seconds(60)).ignoreExceptions()
						.until(() -> client.store.atomicPut("tree/after-" + client.hashCode(), bytes("after"), null,
								WriteOptions.NONE), (pair) -> true);
					assertThat(created.lastIndex()).as("lastIndex of a write after the loss").isGreaterThan(seen);
					assertThat(client.store.get(created.key()).lastIndex()).isEqualTo(created.lastIndex());
					LockLease lease = await().atMost(Timing.seconds(60)).ignoreExceptions().until(client.lock::lock, (l) -> true);
					assertThat(lease.fencingToken()).as("fencing token after the loss").isGreaterThan(tokens);
					client.lock.unlock();
				}
				first.store.put("tree/k1", bytes("again"));
				for (Client client : List.of(first, second)) {
					await().atMost(Timing.seconds(30)).untilAsserted(() -> assertThat(indexes(client.watched.get()))
						.as("the watch converges to the server's state").isEqualTo(indexes(client.store.list("tree"))));
					assertThat(client.watchHandle.lastIndex()).isGreaterThan(seen);
				}
			}
		}
	}

	/** One client of the server: a store, a lock, a tree watch, and the highest index and token it saw. */
	private static final class Client implements AutoCloseable {

		final Store store;

		final StoreLock lock;

		final List<WatchEvent.Snapshot> snapshots = new CopyOnWriteArrayList<>();

		final AtomicReference<NavigableMap<String, KVPair>> watched = new AtomicReference<>();

		Watch watchHandle;

		long seen;

		long token;

		Client(StoreConfig config) {
			this.store = await().atMost(Timing.seconds(60)).ignoreExceptions().until(() -> ready(config), (s) -> true);
			this.lock = this.store.newLock("the-lock");
		}

		void writeAndLock(int writes) {
			for (int i = 0; i < writes; i++) {
				this.store.put("tree/k" + (i % 7), bytes("v" + i));
				this.seen = Math.max(this.seen, this.store.get("tree/k" + (i % 7)).lastIndex());
			}
			for (int i = 0; i < 3; i++) {
				this.token = Math.max(this.token, this.lock.lock().fencingToken());
				this.lock.unlock();
			}
		}

		void watch() {
			this.watchHandle = this.store.watchTree("tree", (event) -> {
				if (event instanceof WatchEvent.Snapshot snapshot) {
					this.snapshots.add(snapshot);
				}
				this.watched.set(new TreeMap<>(event.current()));
			});
			await().atMost(Timing.seconds(30)).until(() -> !this.snapshots.isEmpty());
			this.seen = Math.max(this.seen, this.watchHandle.lastIndex());
		}

		@Override
		public void close() {
			this.store.close();
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
