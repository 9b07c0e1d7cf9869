package io.valkeyrie.store.contract;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.fault.LockContenders;
import io.valkeyrie.store.fault.StaleReadCheck;
import io.valkeyrie.store.fault.TreeRecorder;
import io.valkeyrie.store.fault.WriteWorkload;
import io.valkeyrie.store.test.FreezingProxy;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real faults on a real 3-member cluster of scripts/clusters while writers, a {@code watchTree}
 * and lock contenders run: SIGKILL of the leader, the member the store talks to cut off
 * (a {@link FreezingProxy} in front of each client port that stops passing bytes), the leader
 * partitioned from its peers (iptables on loopback, {@code scripts/clusters partition}), and
 * SIGKILL of every member followed by a restart on their data. What a user relies on is
 * checked: no acknowledged write lost, every watch converges to a fresh {@code list()}, every
 * failed call is a {@link StoreUnavailableException} and none runs past the request timeout,
 * at most one valid lock holder at any time with growing fencing tokens, no stale read
 * presented as consistent. Every test restores the cluster (restart, heal) even when it fails,
 * and prints one {@code FAILOVER} line with the numbers docs/reliability.md reports.
 */
public abstract class ClusterFailoverTests {

	private static final int WRITERS = 4;

	private static final int CONTENDERS = 3;

	/** Acknowledged writes per writer before a fault, and again after it. */
	private static final int WRITES = 5;

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

	/** How much a call may overrun the request timeout: thread scheduling on a loaded machine. */
	private static final Duration OVERRUN = Timing.millis(1500);

	/** Bound on each phase of a test (warm-up, recovery, convergence). */
	private static final Duration PHASE = Timing.seconds(45);

	/** TTL of the locks and keep-alive keys, unless the store's minimum is longer (ZooKeeper: its session). */
	private static final Duration LOCK_TTL = Duration.ofSeconds(3);

	/** The backend under test: {@code etcd}, {@code zookeeper} or {@code consul}. */
	protected abstract String backend();

	/** A configuration of the store on every member of the cluster. */
	protected abstract StoreConfig.Builder storeConfig();

	/**
	 * How many request timeouts one store call may take: 1 where the whole call is bounded by the
	 * timeout, as CONTRACT.md asks. A backend that bounds each request of a call separately says
	 * how many it sends at most, and docs/compatibility.md says so.
	 */
	protected int timeoutsPerCall() {
		return 1;
	}

	/**
	 * Whether the store writes its keep-alive keys again when the server dropped the session or
	 * lease holding them while the store stayed open (CONTRACT.md: they live while the store is
	 * open and healthy). A backend that does not says so in docs/compatibility.md.
	 */
	protected boolean rewritesKeepAliveKeysOfALostSession() {
		return true;
	}

	/**
	 * Whether the server may apply a write that failed (timed out) after later writes were
	 * acknowledged, so that the key ends at the failed write's value. A backend where it may says
	 * so in docs/compatibility.md; the tests then report such keys as applied late, not lost.
	 */
	protected boolean failedWritesMayApplyLate() {
		return false;
	}

	/**
	 * The acknowledged writes lost; with {@link #failedWritesMayApplyLate()}, keys that hold the
	 * value of one of their failed writes go to {@code late} instead.
	 */
	private List<String> lost(WriteWorkload.Outcome outcome, Store reader, List<String> late) {
		List<String> lost = new ArrayList<>();
		for (String line : outcome.lost(reader)) {
			String key = line.substring(0, line.indexOf(':'));
			Optional<String> found = reader.find(key).map(KVPair::valueAsString);
			boolean failedValue = outcome.failed().stream()
				.anyMatch((call) -> call.key().equals(key) && found.isPresent() && call.value().equals(found.get()));
			(failedValue && failedWritesMayApplyLate() ? late : lost).add(line);
		}
		return lost;
	}

	private void assertNoStaleRead(StaleReadCheck reads) {
		assertThat(reads.stale()).as("stale reads presented as consistent").isEmpty();
		if (!failedWritesMayApplyLate()) {
			assertThat(reads.lateWrites()).as("failed writes applied after later acknowledged ones").isEmpty();
		}
	}

	private StoreConfig config(String namespace, List<String> endpoints) {
		return storeConfig().endpoints(endpoints).namespace(namespace).requestTimeout(REQUEST_TIMEOUT).build();
	}

	private static String namespace(String fault) {
		return "failover/" + fault + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	@Test
	void killingTheLeaderLosesNoAcknowledgedWriteWatchesConvergeAndLocksStayExclusive() throws Exception {
		StoreConfig config = config(namespace("kill"), TestClusters.endpoints(backend()));
		String leader = null;
		List<Store> stores = new ArrayList<>();
		try {
			for (int i = 0; i < 2 + CONTENDERS; i++) {
				stores.add(open(config));
			}
			WriteWorkload.Outcome outcome;
			Duration recovery;
			Duration lockRecovery;
			try (TreeRecorder tree = TreeRecorder.watch(stores.get(1), "data");
					WriteWorkload workload = WriteWorkload.start(stores.get(0), "data", WRITERS);
					LockContenders contenders = LockContenders.start(stores.subList(2, stores.size()), "lock", ttl(stores.get(2)))) {
				workload.awaitAcknowledged(WRITES, PHASE);
				await().atMost(PHASE).until(() -> contenders.acquisitions() >= CONTENDERS);
				leader = TestClusters.leader(backend());
				// kill returns once the process is gone: the clock starts at a dead leader.
				TestClusters.kill(leader);
				long killedAt = System.nanoTime();
				recovery = workload.awaitAcknowledged(1, PHASE);
				await().atMost(PHASE).until(() -> contenders.acquisitionsSince(killedAt) >= CONTENDERS);
				lockRecovery = Duration.ofNanos(System.nanoTime() - killedAt);
				workload.awaitAcknowledged(WRITES, PHASE);
				outcome = workload.stop();
				contenders.close();
				try (Store reader = open(config)) {
					Duration convergence = tree.awaitConverged(reader, PHASE);
					List<String> late = new ArrayList<>();
					List<String> lost = lost(outcome, reader, late);
					report("kill-leader", "leader %s killed; writes acknowledged %d, lost %d (failed writes applied late %d), failed %d %s; every writer "
							+ "acknowledged again %d ms after the kill; %d lock acquisitions (%d after the kill, "
							+ "within %d ms), double holders %d, failed lock calls %s; watch converged %d ms after the "
							+ "writers stopped (%d events, resyncs %s); longest call %d ms", leader, outcome.acknowledged(),
							lost.size(), late.size(), outcome.failed().size(), outcome.errors(), recovery.toMillis(),
							contenders.acquisitions(), contenders.acquisitionsSince(killedAt), lockRecovery.toMillis(),
							contenders.doubleHolders().size(), contenders.errors(), convergence.toMillis(), tree.events(),
							tree.resyncs(), outcome.longest().toMillis());
					assertThat(lost).as("acknowledged writes lost").isEmpty();
				}
				assertThat(contenders.doubleHolders()).as("double holders").isEmpty();
				assertThat(contenders.tokensNotIncreasing()).as("fencing tokens that did not grow").isEmpty();
				assertThat(contenders.errors().keySet()).as("failed lock calls")
					.isSubsetOf(StoreUnavailableException.class.getSimpleName());
			}
			assertCallsFailedOnlyAsUnavailableWithinTheTimeout(outcome);
		}
		finally {
			stores.forEach(Store::close);
			if (leader != null) {
				TestClusters.start(leader);
			}
		}
	}

	@Test
	void cuttingTheMemberTheStoreTalksToMovesTheStoreOrFailsItsCallsButNeverHangsOrReadsStale() throws Exception {
		List<String> endpoints = TestClusters.endpoints(backend());
		String namespace = namespace("cut");
		List<FreezingProxy> proxies = new ArrayList<>();
		try {
			for (String endpoint : endpoints) {
				proxies.add(new FreezingProxy(hostAndPort(endpoint)));
			}
			List<String> viaProxies = new ArrayList<>();
			for (int i = 0; i < endpoints.size(); i++) {
				viaProxies.add(scheme(endpoints.get(i)) + proxies.get(i).endpoint());
			}
			StoreConfig cutConfig = config(namespace, viaProxies);
			StoreConfig directConfig = config(namespace, endpoints);
			Store cut = open(cutConfig);
			// Counted before any other store connects: the member the writing store talks to.
			FreezingProxy frozen = proxies.stream().max(Comparator.comparingInt(FreezingProxy::accepted)).orElseThrow();
			try (cut; Store watching = open(cutConfig); Store direct = open(directConfig)) {
				WriteWorkload.Outcome outcome;
				Duration moved;
				try (TreeRecorder tree = TreeRecorder.watch(watching, "data");
						WriteWorkload workload = WriteWorkload.start(cut, "data", WRITERS);
						StaleReadCheck reads = StaleReadCheck.start(direct, cut, "counter")) {
					workload.awaitAcknowledged(WRITES, PHASE);
					frozen.freeze();
					moved = workload.awaitAcknowledged(WRITES, PHASE);
					long readsBefore = reads.reads();
					await().atMost(PHASE).until(() -> reads.reads() > readsBefore + WRITES);
					outcome = workload.stop();
					reads.close();
					try (Store reader = open(directConfig)) {
						Duration convergence = tree.awaitConverged(reader, PHASE);
						List<String> late = new ArrayList<>();
					List<String> lost = lost(outcome, reader, late);
						report("cut-client-member", "member behind proxy %d of %s frozen; writes acknowledged %d, "
								+ "lost %d (failed writes applied late %d), failed %d %s; every writer acknowledged %d writes %d ms after the cut; "
								+ "consistent reads %d, stale %d, of failed writes applied late %d, failed %s; watch converged %d ms after the writers "
								+ "stopped (%d events, resyncs %s); longest call %d ms",
								proxies.indexOf(frozen) + 1, proxies.stream().map(FreezingProxy::accepted).toList(),
								outcome.acknowledged(), lost.size(), late.size(), outcome.failed().size(), outcome.errors(), WRITES,
								moved.toMillis(), reads.reads(), reads.stale().size(), reads.lateWrites().size(), reads.errors(),
								convergence.toMillis(), tree.events(), tree.resyncs(), outcome.longest().toMillis());
						assertThat(lost).as("acknowledged writes lost").isEmpty();
					}
					assertNoStaleRead(reads);
					assertThat(reads.errors().keySet()).as("failed reads")
						.isSubsetOf(StoreUnavailableException.class.getSimpleName());
				}
				assertCallsFailedOnlyAsUnavailableWithinTheTimeout(outcome);
			}
		}
		finally {
			for (FreezingProxy proxy : proxies) {
				proxy.close();
			}
		}
	}

	@Test
	void aPartitionedLeaderLosesNoWriteTheMajorityAcknowledgedAndServesNoStaleRead() throws Exception {
		List<String> endpoints = TestClusters.endpoints(backend());
		List<String> members = TestClusters.members(backend());
		String namespace = namespace("partition");
		String leader = TestClusters.leader(backend());
		int isolated = members.indexOf(leader);
		List<String> majority = new ArrayList<>(endpoints);
		majority.remove(isolated);
		StoreConfig majorityConfig = config(namespace, majority);
		StoreConfig minorityConfig = config(namespace, List.of(endpoints.get(isolated)));
		try (Store onMajority = open(majorityConfig); Store onMinority = open(minorityConfig);
				Store watchingMinority = open(minorityConfig)) {
			WriteWorkload.Outcome majorityOutcome;
			WriteWorkload.Outcome minorityOutcome;
			Duration recovery;
			Duration rejoin;
			try (TreeRecorder tree = TreeRecorder.watch(watchingMinority, "data");
					WriteWorkload majorityWriters = WriteWorkload.start(onMajority, "data/majority", WRITERS);
					WriteWorkload minorityWriters = WriteWorkload.start(onMinority, "data/minority", 2);
					StaleReadCheck reads = StaleReadCheck.start(onMajority, onMinority, "counter")) {
				majorityWriters.awaitAcknowledged(WRITES, PHASE);
				minorityWriters.awaitAcknowledged(WRITES, PHASE);
				try {
					TestClusters.partition(leader);
					// The majority elects a leader and takes writes again. The minority member cannot;
					// a store given only that member fails its calls, or moves to the majority where its
					// client learns the other members (ZooKeeper: Curator's ensemble tracker).
					recovery = majorityWriters.awaitAcknowledged(1, PHASE);
					majorityWriters.awaitAcknowledged(WRITES, PHASE);
				}
				finally {
					TestClusters.heal(backend());
				}
				rejoin = minorityWriters.awaitAcknowledged(1, PHASE);
				majorityOutcome = majorityWriters.stop();
				minorityOutcome = minorityWriters.stop();
				reads.close();
				try (Store reader = open(config(namespace, endpoints))) {
					Duration convergence = tree.awaitConverged(reader, PHASE);
					List<String> late = new ArrayList<>();
					List<String> lost = new ArrayList<>(lost(majorityOutcome, reader, late));
					lost.addAll(lost(minorityOutcome, reader, late));
					report("minority-partition", "leader %s cut off from its peers; majority side: writes acknowledged "
							+ "%d, failed %d %s, every writer acknowledged again %d ms after the cut; minority side: "
							+ "writes acknowledged %d, failed %d %s, every writer acknowledged again %d ms after the "
							+ "heal; lost %d (failed writes applied late %d); consistent reads on the minority %d, "
							+ "stale %d, of failed writes applied late %d, failed %s; the minority's watch converged %d ms after the writers stopped (%d events, resyncs %s); longest call "
							+ "%d ms", leader, majorityOutcome.acknowledged(), majorityOutcome.failed().size(),
							majorityOutcome.errors(), recovery.toMillis(), minorityOutcome.acknowledged(),
							minorityOutcome.failed().size(), minorityOutcome.errors(), rejoin.toMillis(), lost.size(),
							late.size(),
							reads.reads(), reads.stale().size(), reads.lateWrites().size(), reads.errors(),
							convergence.toMillis(), tree.events(), tree.resyncs(), Math.max(majorityOutcome.longest().toMillis(), minorityOutcome.longest().toMillis()));
					assertThat(lost).as("acknowledged writes lost").isEmpty();
				}
				assertNoStaleRead(reads);
				assertThat(reads.errors().keySet()).as("failed reads")
					.isSubsetOf(StoreUnavailableException.class.getSimpleName());
			}
			assertCallsFailedOnlyAsUnavailableWithinTheTimeout(majorityOutcome);
			assertCallsFailedOnlyAsUnavailableWithinTheTimeout(minorityOutcome);
		}
		finally {
			TestClusters.heal(backend());
		}
	}

	@Test
	void restartingTheWholeClusterKeepsDataLocksAndKeepAliveKeys() throws Exception {
		StoreConfig config = config(namespace("restart"), TestClusters.endpoints(backend()));
		boolean killed = false;
		try (Store writing = open(config); Store watching = open(config); Store holding = open(config);
				Store other = open(config)) {
			Duration ttl = ttl(holding);
			LockLease lease = holding.newLock("lock", LockOptions.builder().ttl(ttl).build()).lock();
			holding.put("alive", "kept".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(ttl));
			KVPair alive = holding.get("alive");
			WriteWorkload.Outcome outcome;
			Duration restart;
			Duration recovery;
			boolean aliveAfter;
			try (TreeRecorder tree = TreeRecorder.watch(watching, "data");
					WriteWorkload workload = WriteWorkload.start(writing, "data", WRITERS)) {
				workload.awaitAcknowledged(WRITES, PHASE);
				TestClusters.kill(backend());
				killed = true;
				long killedAt = System.nanoTime();
				workload.awaitFailed(1, PHASE);
				TestClusters.startKeepingData(backend());
				killed = false;
				restart = Duration.ofNanos(System.nanoTime() - killedAt);
				recovery = workload.awaitAcknowledged(WRITES, PHASE);
				outcome = workload.stop();
				boolean held = lease.isValid();
				if (rewritesKeepAliveKeysOfALostSession()) {
					// The holder's store is open and healthy again: its keep-alive key lives (CONTRACT.md).
					await().atMost(PHASE).until(() -> other.exists("alive"));
				}
				// Read once: on Consul the key can still go with its dropped session after this.
				Optional<KVPair> aliveNow = other.find("alive");
				aliveAfter = aliveNow.isPresent();
				Optional<LockLease> taken = other.newLock("lock").tryLock();
				boolean heldAfter = lease.isValid();
				try (Store reader = open(config)) {
					Duration convergence = tree.awaitConverged(reader, PHASE);
					List<String> late = new ArrayList<>();
					List<String> lost = lost(outcome, reader, late);
					report("whole-restart", "every member killed, restarted on its data in %d ms; writes acknowledged "
							+ "%d, lost %d (failed writes applied late %d), failed %d %s; every writer acknowledged %d writes %d ms after the "
							+ "restart; watch converged %d ms after the writers stopped (%d events, resyncs %s); "
							+ "lock %s; keep-alive key %s; longest call %d ms", restart.toMillis(),
							outcome.acknowledged(), lost.size(), late.size(), outcome.failed().size(), outcome.errors(), WRITES,
							recovery.toMillis(), convergence.toMillis(), tree.events(), tree.resyncs(),
							held ? "still held by its holder" : "lost by its holder (" + lossOf(lease) + ")",
							!aliveAfter ? "gone (its session was dropped)"
									: (aliveNow.get().lastIndex() == alive.lastIndex()) ? "kept" : "written again",
							outcome.longest().toMillis());
					assertThat(lost).as("acknowledged writes lost").isEmpty();
				}
				if (heldAfter) {
					assertThat(taken).as("a second holder while the first lease is valid").isEmpty();
				}
				else {
					taken.ifPresent((second) -> assertThat(second.fencingToken()).isGreaterThan(lease.fencingToken()));
					assertThat(lease.lost().toCompletableFuture()).as("the holder is told it lost the lock")
						.succeedsWithin(PHASE);
				}
				taken.ifPresent(LockLease::close);
			}
			assertCallsFailedOnlyAsUnavailableWithinTheTimeout(outcome);
			if (!aliveAfter) {
				// The next keep-alive write starts a new session.
				holding.put("alive", "kept".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(ttl));
			}
			// A keep-alive key goes with its store, as before the restart.
			holding.close();
			await().atMost(ttl.plus(Timing.seconds(5))).until(() -> !other.exists("alive"));
			assertThat(other.newLock("lock").tryLock(PHASE)).as("the lock after its holder closed").isPresent();
		}
		finally {
			if (killed) {
				TestClusters.startKeepingData(backend());
			}
		}
	}

	private static Duration ttl(Store store) {
		return (store.minimumLockTtl().compareTo(LOCK_TTL) > 0) ? store.minimumLockTtl() : LOCK_TTL;
	}

	/**
	 * Open a store before a fault, retrying: opening makes the first connection with the short
	 * request timeout of these tests, which a loaded machine can exceed, and is not what they measure.
	 */
	private static Store open(StoreConfig config) {
		return await().atMost(PHASE).ignoreException(StoreUnavailableException.class).until(() -> Stores.open(config),
				(store) -> true);
	}

	private static String lossOf(LockLease lease) {
		try {
			return String.valueOf(lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason());
		}
		catch (Exception ex) {
			return "not told within 5 s";
		}
	}

	private void assertCallsFailedOnlyAsUnavailableWithinTheTimeout(WriteWorkload.Outcome outcome) {
		assertThat(outcome.failedOtherThan(StoreUnavailableException.class))
			.as("calls that failed with something else than StoreUnavailableException")
			.extracting(WriteWorkload.Call::failure)
			.isEmpty();
		assertThat(outcome.longerThan(REQUEST_TIMEOUT.multipliedBy(timeoutsPerCall()).plus(OVERRUN)))
			.as("calls longer than %d request timeouts of %s", timeoutsPerCall(), REQUEST_TIMEOUT)
			.isEmpty();
	}

	private void report(String fault, String format, Object... arguments) {
		System.out.printf("FAILOVER %s %s: %s%n", backend(), fault, String.format(format, arguments));
	}

	private static String hostAndPort(String endpoint) {
		return endpoint.substring(scheme(endpoint).length());
	}

	private static String scheme(String endpoint) {
		int at = endpoint.indexOf("://");
		return (at < 0) ? "" : endpoint.substring(0, at + 3);
	}

}
