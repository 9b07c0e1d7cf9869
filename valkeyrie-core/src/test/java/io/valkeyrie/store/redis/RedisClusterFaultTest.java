package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.fault.TreeRecorder;
import io.valkeyrie.store.fault.WriteWorkload;
import io.valkeyrie.store.test.ServerUse;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The faults of the other clusters' {@code ClusterFailoverTests} that {@link RedisClusterFailoverTest}
 * (SIGKILL of the namespace's master) does not cover, on the Redis Cluster of scripts/clusters
 * (AOF on), while writers, a {@code watchTree} and a lock holder use the store: the master of the
 * namespace's slot frozen with SIGSTOP (it keeps its sockets but answers nobody, clients or
 * peers, until its replica replaces it), that master cut off from the cluster bus with iptables
 * ({@code scripts/clusters partition}), and the whole cluster stopped and started again on its
 * data. Checked: no acknowledged write lost, every failed call a {@link StoreUnavailableException}
 * within the request timeout, the watch converges to a fresh {@code list()}, and the lock has at
 * most one valid holder (a holder that lost it is told, a new one gets a larger fencing token).
 * Prints one {@code FAILOVER} line per fault for docs/reliability.md.
 */
@ServerUse(shared = {}, exclusive = "redis-cluster")
class RedisClusterFaultTest {

	private static final int WRITERS = 4;

	/** Acknowledged writes per writer before a fault, and again after it. */
	private static final int WRITES = 5;

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

	/** How much a call may overrun the request timeout: thread scheduling on a loaded machine. */
	private static final Duration OVERRUN = Timing.millis(1500);

	private static final Duration PHASE = Timing.seconds(45);

	private static final LockOptions LOCK = LockOptions.builder().ttl(Duration.ofSeconds(3)).build();

	/**
	 * The TTL of the holder's keep-alive key in the restart test: shorter than the restart, so the
	 * key expires meanwhile and its store, open and healthy again, must write it back.
	 */
	private static final Duration ALIVE_TTL = Duration.ofSeconds(3);

	/** Read while every member runs: a stopped one would fail the reachability check. */
	private final List<String> endpoints = TestClusters.endpoints("redis");

	@Test
	void aFrozenMasterIsReplacedByItsReplicaWithoutLosingAcknowledgedWrites() throws Exception {
		String namespace = "fault/frozen-" + UUID.randomUUID().toString().substring(0, 8);
		String master = RedisClusterFailoverTest.memberServing(namespace, this.endpoints);
		boolean frozen = false;
		try (Scene scene = new Scene(namespace)) {
			LockLease lease = scene.lease;
			Store other = scene.other;
			try (TreeRecorder tree = TreeRecorder.watch(scene.watching, "data");
					WriteWorkload workload = WriteWorkload.start(scene.writing, "data", WRITERS)) {
				workload.awaitAcknowledged(WRITES, PHASE);
				TestClusters.freeze(master);
				frozen = true;
				long frozenAt = System.nanoTime();
				workload.awaitFailed(1, PHASE);
				Duration recovery = workload.awaitAcknowledged(WRITES, PHASE);
				long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
				String promoted = RedisClusterFailoverTest.memberServing(namespace, this.endpoints);
				TestClusters.thaw(master);
				frozen = false;
				awaitReplicaSynced(master);
				WriteWorkload.Outcome outcome = workload.stop();
				checkLock(lease, other);
				try (Store reader = open(namespace)) {
					List<String> lost = outcome.lost(reader);
					Duration convergence = tree.awaitConverged(reader, PHASE);
					report("frozen-master", "master %s frozen (SIGSTOP), %s serves the slot; writes acknowledged %d, lost %d, "
							+ "failed %d %s; every writer acknowledged %d writes %d ms after the freeze (%d ms after the first "
							+ "failures); old master thawed, rejoined as a replica; watch converged %d ms after the writers stopped "
							+ "(%d events, resyncs %d); lock %s; longest call %d ms", master, promoted, outcome.acknowledged(),
							lost.size(), outcome.failed().size(), outcome.errors(), WRITES, recoveredMillis, recovery.toMillis(),
							convergence.toMillis(), tree.events(), tree.resyncs().size(), lockState(lease),
							outcome.longest().toMillis());
					assertThat(promoted).as("the member serving the slot after the freeze").isNotEqualTo(master);
					assertThat(lost).as("acknowledged writes lost").isEmpty();
				}
				assertCallsFailedOnlyAsUnavailableWithinTheTimeout(outcome);
			}
		}
		finally {
			if (frozen) {
				TestClusters.thaw(master);
			}
		}
	}

	/**
	 * The namespace's master cut off from the cluster bus (iptables), its client port still open:
	 * the other masters fail it over to its replica, while it keeps answering until it sees the
	 * cluster down. Writes it acknowledged before that may be lost (Redis Cluster's documented
	 * window, reported); a write acknowledged after the majority side promoted the replica never is.
	 */
	@Test
	void aMasterCutOffFromTheClusterBusLosesNoWriteAcknowledgedAfterThePromotion() throws Exception {
		String namespace = "fault/partition-" + UUID.randomUUID().toString().substring(0, 8);
		int slot = SlotHash.getSlot("{" + namespace + "}");
		String master = RedisClusterFailoverTest.memberServing(namespace, this.endpoints);
		String witness = this.endpoints.stream().filter((endpoint) -> !endpoint.equals(endpointOf(master)))
			.filter((endpoint) -> isMaster(endpoint)).findFirst().orElseThrow();
		boolean cut = false;
		try (Store writing = open(namespace); Store watching = open(namespace)) {
			try (TreeRecorder tree = TreeRecorder.watch(watching, "data");
					WriteWorkload workload = WriteWorkload.start(writing, "data", WRITERS)) {
				workload.awaitAcknowledged(WRITES, PHASE);
				TestClusters.partition(master);
				cut = true;
				long cutAt = System.nanoTime();
				// The majority side's view: another master serves the slot.
				await().atMost(PHASE).ignoreExceptions().until(() -> !masterOfSlot(witness, slot).equals(nodeId(endpointOf(master))));
				long promotedAt = System.nanoTime();
				Duration recovery = workload.awaitAcknowledged(WRITES, PHASE);
				TestClusters.heal("redis");
				cut = false;
				awaitReplicaSynced(master);
				WriteWorkload.Outcome outcome = workload.stop();
				try (Store reader = open(namespace)) {
					List<String> lost = outcome.lost(reader);
					List<String> lostAfterPromotion = lost.stream()
						.filter((line) -> lastAcknowledged(outcome, line.substring(0, line.indexOf(':'))) > promotedAt)
						.toList();
					Duration convergence = tree.awaitConverged(reader, PHASE);
					report("partition", "master %s cut off from the cluster bus, replica promoted %d ms after the cut; writes "
							+ "acknowledged %d, lost %d (of them acknowledged after the promotion %d), failed %d %s; every writer "
							+ "acknowledged %d writes %d ms after the promotion; healed, old master rejoined as a replica; watch "
							+ "converged %d ms after the writers stopped (%d events, resyncs %d); longest call %d ms", master,
							TimeUnit.NANOSECONDS.toMillis(promotedAt - cutAt), outcome.acknowledged(), lost.size(),
							lostAfterPromotion.size(), outcome.failed().size(), outcome.errors(), WRITES, recovery.toMillis(),
							convergence.toMillis(), tree.events(), tree.resyncs().size(), outcome.longest().toMillis());
					assertThat(lostAfterPromotion).as("writes lost that were acknowledged after the promotion").isEmpty();
				}
				assertCallsFailedOnlyAsUnavailableWithinTheTimeout(outcome);
			}
		}
		finally {
			if (cut) {
				TestClusters.heal("redis");
			}
		}
	}

	/** When the last acknowledged write of {@code key} returned ({@link System#nanoTime()}). */
	private static long lastAcknowledged(WriteWorkload.Outcome outcome, String key) {
		return outcome.calls().stream().filter((call) -> call.key().equals(key) && call.acknowledged())
			.mapToLong(WriteWorkload.Call::ended).max().orElse(Long.MIN_VALUE);
	}

	private String endpointOf(String member) {
		return this.endpoints.get(Integer.parseInt(member.substring("redis-".length())) - 1);
	}

	private static boolean isMaster(String endpoint) {
		return onNode(endpoint, (redis) -> redis.info("replication").contains("role:master"));
	}

	private static String nodeId(String endpoint) {
		return onNode(endpoint, (redis) -> redis.clusterMyId());
	}

	/** The node id of the master of {@code slot} in the view of the node at {@code endpoint}. */
	private static String masterOfSlot(String endpoint, int slot) {
		return onNode(endpoint, (redis) -> ClusterPartitionParser.parse(redis.clusterNodes()).getMasterBySlot(slot).getNodeId());
	}

	private static <T> T onNode(String endpoint, Function<RedisCommands<String, String>, T> command) {
		RedisClient client = RedisClient.create(RedisURI.create(endpoint));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return command.apply(connection.sync());
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void restartingTheWholeClusterOnItsDataKeepsAcknowledgedWritesAndLocksExclusive() throws Exception {
		String namespace = "fault/restart-" + UUID.randomUUID().toString().substring(0, 8);
		boolean stopped = false;
		try (Scene scene = new Scene(namespace)) {
			LockLease lease = scene.lease;
			Store other = scene.other;
			scene.holding.put("alive", "kept".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(ALIVE_TTL));
			long aliveIndex = other.get("alive").lastIndex();
			try (TreeRecorder tree = TreeRecorder.watch(scene.watching, "data");
					WriteWorkload workload = WriteWorkload.start(scene.writing, "data", WRITERS)) {
				workload.awaitAcknowledged(WRITES, PHASE);
				long stoppedAt = System.nanoTime();
				TestClusters.stopKeepingData("redis");
				stopped = true;
				workload.awaitFailed(1, PHASE);
				// Down for longer than the keep-alive key's TTL, so it expires on the servers.
				await().atMost(PHASE).until(() -> System.nanoTime() - stoppedAt > ALIVE_TTL.toNanos());
				TestClusters.startKeepingData("redis");
				stopped = false;
				Duration restart = Duration.ofNanos(System.nanoTime() - stoppedAt);
				Duration recovery = workload.awaitAcknowledged(WRITES, PHASE);
				WriteWorkload.Outcome outcome = workload.stop();
				checkLock(lease, other);
				// Expired during the restart, and written again (a fresh put) by its open, healthy store.
				assertThat(restart).as("the restart, longer than the keep-alive key's TTL").isGreaterThan(ALIVE_TTL);
				await().atMost(PHASE).until(() -> other.exists("alive"));
				assertThat(other.get("alive").lastIndex()).as("the keep-alive key after the restart").isGreaterThan(aliveIndex);
				try (Store reader = open(namespace)) {
					List<String> lost = outcome.lost(reader);
					Duration convergence = tree.awaitConverged(reader, PHASE);
					report("whole-restart", "every member stopped (SIGTERM) and started on its data (AOF) in %d ms; writes "
							+ "acknowledged %d, lost %d, failed %d %s; every writer acknowledged %d writes %d ms after the restart; "
							+ "watch converged %d ms after the writers stopped (%d events, resyncs %d); lock %s; longest call %d ms",
							restart.toMillis(), outcome.acknowledged(), lost.size(), outcome.failed().size(), outcome.errors(), WRITES,
							recovery.toMillis(), convergence.toMillis(), tree.events(), tree.resyncs().size(), lockState(lease),
							outcome.longest().toMillis());
					assertThat(lost).as("acknowledged writes lost").isEmpty();
					assertThat(tree.resyncs()).as("watch resyncs after the restart").isNotEmpty();
				}
				assertCallsFailedOnlyAsUnavailableWithinTheTimeout(outcome);
			}
			// A keep-alive key goes with its store, as before the restart.
			scene.holding.close();
			await().atMost(ALIVE_TTL.plus(Timing.seconds(10))).until(() -> !other.exists("alive"));
		}
		finally {
			if (stopped) {
				TestClusters.startKeepingData("redis");
			}
		}
	}

	/** The stores of a freeze or restart: one writes, one watches, one holds the lock, one tries to take it. */
	private final class Scene implements AutoCloseable {

		private final List<Store> stores = new ArrayList<>();

		private final Store writing;

		private final Store watching;

		private final Store other;

		private final Store holding;

		private final LockLease lease;

		Scene(String namespace) {
			try {
				this.writing = add(open(namespace));
				this.watching = add(open(namespace));
				this.other = add(open(namespace));
				this.holding = add(open(namespace));
				this.lease = this.holding.newLock("lock", LOCK).lock();
			}
			catch (RuntimeException | Error ex) {
				close();
				throw ex;
			}
		}

		private Store add(Store store) {
			this.stores.add(store);
			return store;
		}

		@Override
		public void close() {
			this.stores.forEach(Store::close);
		}

	}

	/**
	 * At most one valid holder: while the first lease is valid nobody else gets the lock; once it
	 * is not, its holder is told, and a new holder's fencing token is larger.
	 */
	private static void checkLock(LockLease lease, Store other) {
		boolean held = lease.isValid();
		Optional<LockLease> taken = other.newLock("lock", LOCK).tryLock();
		boolean heldAfter = lease.isValid();
		try {
			if (held && heldAfter) {
				assertThat(taken).as("a second holder while the first lease is valid").isEmpty();
			}
			else {
				taken.ifPresent((second) -> assertThat(second.fencingToken()).isGreaterThan(lease.fencingToken()));
				assertThat(lease.lost().toCompletableFuture()).as("the holder is told it lost the lock").succeedsWithin(PHASE);
			}
		}
		finally {
			taken.ifPresent(LockLease::close);
		}
	}

	private static String lockState(LockLease lease) {
		if (lease.isValid()) {
			return "still held by its holder";
		}
		try {
			return "lost by its holder (" + lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason() + ")";
		}
		catch (Exception ex) {
			return "lost by its holder (not told within 5 s)";
		}
	}

	/** A thawed or healed master learns it was replaced and replicates from its successor. */
	private void awaitReplicaSynced(String member) {
		await().atMost(PHASE).ignoreExceptions().until(() -> onNode(endpointOf(member), (redis) -> redis.info("replication"))
			.matches("(?s).*role:slave.*master_link_status:up.*"));
	}

	private static void assertCallsFailedOnlyAsUnavailableWithinTheTimeout(WriteWorkload.Outcome outcome) {
		assertThat(outcome.failedOtherThan(StoreUnavailableException.class))
			.as("calls that failed with something else than StoreUnavailableException")
			.extracting(WriteWorkload.Call::failure)
			.isEmpty();
		assertThat(outcome.longerThan(REQUEST_TIMEOUT.plus(OVERRUN))).as("calls longer than the request timeout of %s", REQUEST_TIMEOUT)
			.isEmpty();
	}

	/**
	 * Open a store before a fault, retrying: opening makes the first connection with the short
	 * request timeout of these tests, which a loaded machine can exceed, and is not what they measure.
	 */
	private Store open(String namespace) {
		StoreConfig config = StoreConfig.builder("redis").endpoints(this.endpoints).namespace(namespace)
			.requestTimeout(REQUEST_TIMEOUT).build();
		return await().atMost(PHASE).ignoreException(StoreUnavailableException.class).until(() -> Stores.open(config),
				(store) -> true);
	}

	private static void report(String fault, String format, Object... arguments) {
		System.out.printf("FAILOVER redis-cluster %s: %s%n", fault, String.format(format, arguments));
	}

}
