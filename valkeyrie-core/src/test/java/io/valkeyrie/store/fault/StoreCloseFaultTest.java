package io.valkeyrie.store.fault;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.test.FreezingProxy;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code close()} of a store with everything at once going on: threads waiting for a lock
 * another client holds ({@code lock()}, {@code tryLock(wait)}), a watch, and every kind of call
 * in flight on a server that stopped answering (a {@link FreezingProxy} in front of the shared
 * server, which itself is never touched). Each of them must end with
 * {@link StoreClosedException} at once, not at the (long) request timeout and not with another
 * exception. The contract tests check the two halves apart on every backend (waiters, a put and
 * a watch registration in flight); this checks every call kind, together.
 * <p>
 * The local backend is not here: it has no round trip to freeze (its waiters are in
 * {@code StoreContractTests.lockCloseEndsEveryWaiterAtOnceWithStoreClosed}, its held locks'
 * release at close in {@code lockCloseReleasesEveryHeldLockTogetherAndTellsItsHolders}).
 */
class StoreCloseFaultTest {

	/** Long enough that only the close can end the calls in time. */
	private static final Duration REQUEST_TIMEOUT = Timing.seconds(8);

	/** How many locks the closing store holds in the second scenario. */
	private static final int OWN_LOCKS = 5;

	/** How soon after {@code close()} began every waiter and call must have ended. */
	private static final Duration AT_ONCE = Timing.seconds(2);

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "etcd", "zookeeper", "redis", "consul" })
	void closeEndsWaitersAndEveryCallInFlightAtOnce(String backend) throws Exception {
		closeWhileBusy(backend, false);
	}

	/**
	 * The same waiters and calls in flight while {@code close()} also releases the
	 * {@value #OWN_LOCKS} locks the store holds, each a round trip to the silent server: the
	 * waiters and lock attempts must not wait for those (their clean-up goes beside the
	 * releases), the releases go out together, so {@code close()} as a whole takes one request
	 * timeout however many locks it releases, and every holder is told its lock is lost.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "etcd", "zookeeper", "redis", "consul" })
	void closeEndsLockAttemptsAtOnceAndReleasesItsOwnLocksTogether(String backend) throws Exception {
		closeWhileBusy(backend, true);
	}

	private void closeWhileBusy(String backend, boolean ownLocks) throws Exception {
		String endpoint = TestServers.endpoint(backend);
		InetSocketAddress server = TestServers.address(endpoint);
		String target = server.getHostString() + ":" + server.getPort();
		StoreConfig.Builder direct = StoreConfig.builder(backend).endpoints(endpoint)
			.namespace("close-" + UUID.randomUUID().toString().substring(0, 8))
			.requestTimeout(REQUEST_TIMEOUT);
		switch (backend) {
			// A ZooKeeper client gives up on a silent server after 2/3 of its session: not before the close.
			case "zookeeper" -> direct.option("session-timeout", "30s");
			case "consul" -> direct.option("lock-delay", "0s");
			default -> {
			}
		}
		ExecutorService pool = Executors.newCachedThreadPool();
		try (FreezingProxy proxy = new FreezingProxy(target);
				// Generous: the first connection of a cold JVM on a busy machine, which this test does not measure.
				Store holder = Stores.open(direct.build().toBuilder().requestTimeout(Timing.seconds(30)).build())) {
			Store store = Stores.open(direct.endpoints(endpoint.replace(target, proxy.endpoint())).build());
			LockOptions lockOptions = LockOptions.builder().ttl(store.minimumLockTtl()).build();
			store.put("k", "v");
			KVPair k = store.get("k");
			store.put("tree/a", "v");
			store.watchTree("", (event) -> {
			});
			holder.newLock("held", lockOptions).lock();
			List<LockLease> mine = new ArrayList<>();
			if (ownLocks) {
				// Locks the closing store holds itself: close() releases them, on a server that no longer answers.
				// A TTL far past the test: these leases must not run out locally while the server is silent.
				Duration ttl = Timing.seconds(60).compareTo(store.minimumLockTtl()) > 0 ? Timing.seconds(60) : store.minimumLockTtl();
				for (int i = 0; i < OWN_LOCKS; i++) {
					mine.add(store.newLock("mine-" + i, LockOptions.builder().ttl(ttl).build()).lock());
				}
			}
			Map<String, Callable<?>> waiters = new LinkedHashMap<>();
			waiters.put("lock() of a held lock", () -> store.newLock("held", lockOptions).lock());
			waiters.put("tryLock(60 s) of a held lock", () -> store.newLock("held", lockOptions).tryLock(Timing.seconds(60)));
			Map<String, Future<Ended>> ending = submit(pool, waiters);
			// Give them time to really wait on the backend: there is no event that says they do.
			await().pollDelay(Timing.millis(700)).atMost(Timing.seconds(2)).until(() -> true);
			proxy.freeze();
			Map<String, Callable<?>> inFlight = new LinkedHashMap<>();
			inFlight.put("get", () -> store.get("k"));
			inFlight.put("exists", () -> store.exists("k"));
			inFlight.put("list", () -> store.list(""));
			inFlight.put("put", () -> {
				store.put("k", "w");
				return null;
			});
			inFlight.put("atomicPut", () -> store.atomicPut("k", new byte[] { 1 }, k, WriteOptions.NONE));
			inFlight.put("atomicDelete", () -> {
				store.atomicDelete("k", k);
				return null;
			});
			inFlight.put("delete", () -> {
				store.delete("tree/a");
				return null;
			});
			inFlight.put("deleteTree", () -> {
				store.deleteTree("tree");
				return null;
			});
			inFlight.put("lock() of a free lock", () -> store.newLock("free", lockOptions).lock());
			inFlight.put("tryLock() of a free lock", () -> store.newLock("free-too", lockOptions).tryLock());
			Map<String, Future<Ended>> calls = submit(pool, inFlight);
			await().pollDelay(Timing.millis(700)).atMost(Timing.seconds(2)).until(() -> true);
			ending.putAll(calls);
			ending.forEach((name, call) -> assertThat(call.isDone()).as("%s ended before the close", name).isFalse());
			long closing = System.nanoTime();
			Thread close = new Thread(store::close, "close-" + backend);
			close.start();
			List<String> late = new ArrayList<>();
			Duration slowest = Duration.ZERO;
			for (Map.Entry<String, Future<Ended>> call : ending.entrySet()) {
				Ended ended;
				try {
					ended = call.getValue().get(Timing.seconds(10).toSeconds(), TimeUnit.SECONDS);
				}
				catch (TimeoutException ex) {
					throw new AssertionError(call.getKey() + " still runs 10 s after close()", ex);
				}
				Throwable thrown = ended.thrown();
				Duration after = Duration.ofNanos(ended.at() - closing);
				slowest = (after.compareTo(slowest) > 0) ? after : slowest;
				if (after.compareTo(AT_ONCE) >= 0) {
					late.add(call.getKey() + " after " + after.toMillis() + " ms");
				}
				assertThat(thrown).as("%s at close", call.getKey()).isInstanceOf(StoreClosedException.class);
				assertThat(thrown.getMessage()).as("%s at close", call.getKey()).doesNotContainPattern("PT[0-9]");
			}
			assertThat(late).as("calls and waiters that close() did not end at once").isEmpty();
			// Every holder is told at once: its release may never be confirmed by the silent server.
			for (LockLease lease : mine) {
				LockLoss loss = lease.lost().toCompletableFuture().get(AT_ONCE.toMillis(), TimeUnit.MILLISECONDS);
				assertThat(loss.reason()).as("loss of %s", lease.key()).isEqualTo(LockLoss.Reason.STORE_CLOSED);
				assertThat(lease.isValid()).as("%s after close()", lease.key()).isFalse();
			}
			// close() itself waits for its releases and the end of its sessions on the silent server,
			// all together within one request timeout, however many locks it holds.
			Duration bound = REQUEST_TIMEOUT.plus(AT_ONCE);
			close.join(bound.toMillis());
			long returned = Duration.ofNanos(System.nanoTime() - closing).toMillis();
			assertThat(close.isAlive()).as("close() still runs %s later:%s", bound, stackOf(close)).isFalse();
			System.out.printf("STORE-CLOSE %s%s: %d waiters and calls in flight ended within %d ms, close() returned after %d ms%n",
					backend, ownLocks ? " (holding " + OWN_LOCKS + " locks)" : "", ending.size(), slowest.toMillis(), returned);
		}
		finally {
			pool.shutdownNow();
		}
	}

	/** How a call ended: what it threw ({@code null} if nothing), and when ({@link System#nanoTime()}). */
	private record Ended(Throwable thrown, long at) {
	}

	private static String stackOf(Thread thread) {
		StringBuilder out = new StringBuilder();
		for (StackTraceElement element : thread.getStackTrace()) {
			out.append("\n\tat ").append(element);
		}
		return out.toString();
	}

	private static Map<String, Future<Ended>> submit(ExecutorService pool, Map<String, Callable<?>> calls)
			throws InterruptedException {
		CountDownLatch started = new CountDownLatch(calls.size());
		Map<String, Future<Ended>> futures = new LinkedHashMap<>();
		calls.forEach((name, call) -> futures.put(name, pool.submit(() -> {
			started.countDown();
			Throwable thrown = null;
			try {
				call.call();
			}
			catch (Throwable ex) {
				thrown = ex;
			}
			return new Ended(thrown, System.nanoTime());
		})));
		started.await();
		return futures;
	}

}
