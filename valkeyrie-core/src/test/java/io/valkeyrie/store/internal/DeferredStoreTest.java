package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.test.CrashableServer;
import io.valkeyrie.store.test.ServerProcess;
import io.valkeyrie.store.test.ServerUse;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link Stores#openInBackground}: a store opened while its server is down (a server of the
 * test's own, killed and started again on its data), on every server backend.
 */
@ServerUse(shared = {})
class DeferredStoreTest {


	@ParameterizedTest
	@ValueSource(strings = { "redis", "etcd", "consul", "zookeeper" })
	void connectsWhenTheServerComesUpAndThenServesCallsWatchesAndLocks(String backend) throws Exception {
		ExecutorService waiter = Executors.newSingleThreadExecutor();
		try (CrashableServer server = CrashableServer.start(backend)) {
			StoreConfig config = config(backend, server.endpoint());
			// A server that just started may be slow to answer its first requests on a busy machine.
			try (Store seed = Stores.open(config.toBuilder().connectTimeout(Timing.seconds(10)).requestTimeout(Timing.seconds(10)).build())) {
				seed.put("app/before", "seeded");
			}
			server.kill();
			Store store = Stores.openInBackground(config, Duration.ofMillis(100), Duration.ofSeconds(1));
			try {
				assertThat(store).isInstanceOf(DeferredStore.class);
				String port = server.endpoint().substring(server.endpoint().lastIndexOf(':'));
				assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> store.get("app/before"))
					.withMessageStartingWith(backend + " store unavailable: not connected to [")
					.withMessageContaining(port);
				assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(store::serverInfo);
				assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> store.put("", "x"));
				BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
				Watch watch = store.watchTree("app", events::add);
				assertThat(watch.isActive()).isTrue();
				StoreLock early = store.newLock("locks/early");
				assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(early::tryLock);
				assertThatExceptionOfType(StoreUnavailableException.class)
					.isThrownBy(() -> early.tryLock(Duration.ofMillis(200)));
				Future<Optional<LockLease>> waiting = waiter
					.submit(() -> store.newLock("locks/waiting").tryLock(Timing.seconds(120)));
				BlockingQueue<Duration> connected = new LinkedBlockingQueue<>();
				((DeferredStore) store).whenConnected(() -> connected.add(store.minimumTtl()));
				assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("no event before the connection").isNull();
				assertThat(waiting.isDone()).isFalse();
				assertThat(connected).as("nothing run before the connection").isEmpty();

				server.start();

				WatchEvent first = events.poll(Timing.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
				assertThat(first).isInstanceOfSatisfying(WatchEvent.Snapshot.class, (snapshot) -> {
					assertThat(snapshot.isResync()).isTrue();
					assertThat(snapshot.reason()).isEqualTo(DeferredWatch.CONNECTED);
					assertThat(snapshot.current()).containsOnlyKeys("app/before");
				});
				Optional<LockLease> lease = waiting.get(Timing.seconds(120).toMillis(), TimeUnit.MILLISECONDS);
				assertThat(lease).isPresent();
				assertThat(lease.get().isValid()).isTrue();
				lease.get().close();
				assertThat(connected.poll(Timing.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
					.as("run once connected, with the server's minimum TTL known").isPositive();
				((DeferredStore) store).whenConnected(() -> connected.add(Duration.ZERO));
				assertThat(connected).as("run at once when already connected").containsExactly(Duration.ZERO);
				assertThat(store.get("app/before").valueAsString()).isEqualTo("seeded");
				store.put("app/after", "live");
				await().atMost(Timing.seconds(30)).until(() -> {
					WatchEvent event = events.poll(100, TimeUnit.MILLISECONDS);
					return event instanceof WatchEvent.Put put && put.key().equals("app/after");
				});
				assertThat(store.serverInfo()).isNotNull();
				assertThat(store.minimumTtl()).isPositive();
				assertThat(early.tryLock()).isPresent();
				early.unlock();
				watch.close();
				assertThat(watch.isActive()).isFalse();
			}
			finally {
				store.close();
			}
			assertThat(store.isClosed()).isTrue();
			assertThat(connectorThreads()).isZero();
		}
		finally {
			waiter.shutdownNow();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "redis", "etcd", "consul", "zookeeper" })
	void closesCleanlyBeforeItConnects(String backend) throws Exception {
		String endpoint = endpoint(backend, ServerProcess.freePort());
		ExecutorService waiter = Executors.newSingleThreadExecutor();
		try {
			Store store = Stores.openInBackground(config(backend, endpoint), Duration.ofMillis(50), Duration.ofMillis(200));
			assertThat(store).isInstanceOf(DeferredStore.class);
			BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
			Watch watch = store.watch("key", events::add);
			Future<LockLease> locking = waiter.submit(() -> store.newLock("locks/forever").lock());
			List<String> ran = new CopyOnWriteArrayList<>();
			((DeferredStore) store).whenConnected(() -> ran.add("before close"));
			assertThat(connectorThreads()).isEqualTo(1);
			store.close();
			((DeferredStore) store).whenConnected(() -> ran.add("after close"));
			assertThat(ran).as("never run: the store closed before it connected").isEmpty();
			assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
				.isThrownBy(() -> locking.get(Timing.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
				.withCauseInstanceOf(StoreClosedException.class);
			assertThat(watch.isActive()).isFalse();
			assertThat(events).isEmpty();
			assertThatExceptionOfType(StoreClosedException.class).isThrownBy(() -> store.get("key"));
			assertThatExceptionOfType(StoreClosedException.class).isThrownBy(() -> store.watch("key", events::add));
			assertThat(connectorThreads()).isZero();
			store.close();
		}
		finally {
			waiter.shutdownNow();
		}
	}

	private static long connectorThreads() {
		return Thread.getAllStackTraces().keySet().stream()
			.filter((thread) -> thread.getName().startsWith("valkeyrie-connect-") && thread.isAlive())
			.count();
	}

	private static StoreConfig config(String backend, String endpoint) {
		return StoreConfig.builder(backend)
			.endpoints(endpoint)
			.namespace("deferred/" + UUID.randomUUID())
			.connectTimeout(Duration.ofSeconds(1))
			.requestTimeout(Duration.ofSeconds(2))
			.build();
	}

	private static String endpoint(String backend, int port) {
		return switch (backend) {
			case "redis" -> "redis://127.0.0.1:" + port;
			case "zookeeper" -> "127.0.0.1:" + port;
			default -> "http://127.0.0.1:" + port;
		};
	}

}
