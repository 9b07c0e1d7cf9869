package io.valkeyrie.store.fault;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.CrashableServer;
import io.valkeyrie.store.test.Timing;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A single server that persists its data (etcd, ZooKeeper, Redis with an fsynced append-only
 * file, Consul with a data folder) is killed with SIGKILL and restarted while four writers put
 * and a second store watches the tree. What a user relies on: no acknowledged write is lost,
 * the watch converges to what a fresh store lists, every failed call is a
 * {@link StoreUnavailableException}, and no call runs past the request timeout. Prints one
 * {@code SERVER-CRASH} line with the measurements docs/reliability.md reports.
 * <p>
 * The server is the test's own ({@link CrashableServer}), never a shared one.
 */
@ServerUse(shared = {})
class ServerCrashFaultTest {

	private static final int WRITERS = 4;

	/** Acknowledged writes per writer before the kill, and again after the restart. */
	private static final int WRITES = 10;

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

	/** How much a call may overrun the request timeout: thread scheduling on a loaded machine. */
	private static final Duration OVERRUN = Timing.millis(1500);

	/** Bound on each phase (warm-up, outage seen, recovery, convergence). */
	private static final Duration PHASE = Timing.seconds(60);

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "etcd", "zookeeper", "redis", "consul" })
	void killedServerLosesNoAcknowledgedWriteAndWatchesConverge(String backend) {
		try (CrashableServer server = CrashableServer.start(backend)) {
			StoreConfig config = StoreConfig.builder(backend).endpoints(server.endpoint())
				.namespace("crash-" + UUID.randomUUID().toString().substring(0, 8))
				.requestTimeout(REQUEST_TIMEOUT)
				.build();
			WriteWorkload.Outcome outcome;
			Duration recovery;
			TreeRecorder tree;
			try (Store writing = open(config); Store watching = open(config)) {
				tree = TreeRecorder.watch(watching, "data");
				try (tree; WriteWorkload workload = WriteWorkload.start(writing, "data", WRITERS)) {
					workload.awaitAcknowledged(WRITES, PHASE);
					server.kill();
					// Every writer meets the dead server before it comes back.
					workload.awaitFailed(1, PHASE);
					server.start();
					recovery = workload.awaitAcknowledged(WRITES, PHASE);
					outcome = workload.stop();
					try (Store reader = open(config)) {
						Duration convergence = tree.awaitConverged(reader, PHASE);
						var lost = outcome.lost(reader);
						System.out.printf("SERVER-CRASH %s: writes acknowledged %d, lost %d, failed %d %s; "
								+ "every writer acknowledged %d writes %d ms after the restart; watch converged "
								+ "%d ms after the writers stopped (%d events, resyncs %s); longest call %d ms%n",
								backend, outcome.acknowledged(), lost.size(), outcome.failed().size(),
								outcome.errors(), WRITES, recovery.toMillis(), convergence.toMillis(),
								tree.events(), tree.resyncs(), outcome.longest().toMillis());
						assertThat(lost).as("acknowledged writes lost").isEmpty();
					}
				}
			}
			assertThat(outcome.failedOtherThan(StoreUnavailableException.class))
				.as("calls that failed with something else than StoreUnavailableException")
				.extracting(WriteWorkload.Call::failure)
				.isEmpty();
			assertThat(outcome.longerThan(REQUEST_TIMEOUT.plus(OVERRUN)))
				.as("calls longer than the request timeout %s", REQUEST_TIMEOUT)
				.isEmpty();
		}
	}

	/**
	 * Open a store, again if the first connection of a cold JVM on a busy machine takes longer
	 * than the short request timeout: opening is not what this test measures.
	 */
	private static Store open(StoreConfig config) {
		AtomicReference<Store> store = new AtomicReference<>();
		await().atMost(PHASE).ignoreException(StoreUnavailableException.class)
			.until(() -> store.compareAndSet(null, Stores.open(config)));
		return store.get();
	}

}
