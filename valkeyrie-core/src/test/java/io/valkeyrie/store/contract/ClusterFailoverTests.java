package io.valkeyrie.store.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills the leader of a real 3-member cluster with SIGKILL while writers run, and checks what
 * a user relies on: no acknowledged write is lost, a call either succeeds or fails with
 * {@link StoreUnavailableException} (never another error, never a hang), and the store takes
 * writes again within a bound. The killed member is restarted on its data afterwards, so the
 * cluster is whole for the next test. Prints one {@code FAILOVER} line with the measurements
 * that docs/reliability.md reports.
 */
public abstract class ClusterFailoverTests {

	private static final int WRITERS = 3;

	/** Acknowledged writes before the kill, so the leader dies under load, not idle. */
	private static final int WARM_UP_WRITES = 30;

	/** How long the store may take to accept writes again after the leader died. */
	private static final Duration RECOVERY_BOUND = Timing.seconds(30);

	/** The backend under test: {@code etcd}, {@code zookeeper} or {@code consul}. */
	protected abstract String backend();

	/** A configuration of the store on every member of the cluster. */
	protected abstract StoreConfig.Builder storeConfig();

	@Test
	void killingTheLeaderLosesNoAcknowledgedWriteAndRecovers() throws Exception {
		String namespace = "failover/" + UUID.randomUUID().toString().substring(0, 8);
		Map<String, String> acknowledged = new ConcurrentHashMap<>();
		List<Throwable> unexpected = new ArrayList<>();
		AtomicInteger unavailable = new AtomicInteger();
		AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
		AtomicLong firstAckAfterKill = new AtomicLong(Long.MAX_VALUE);
		AtomicInteger acksAfterKill = new AtomicInteger();
		AtomicBoolean stop = new AtomicBoolean();
		String leader = null;
		ExecutorService executor = Executors.newFixedThreadPool(WRITERS);
		try (Store store = Stores.open(storeConfig().namespace(namespace).build())) {
			List<Future<?>> writers = new ArrayList<>();
			for (int w = 0; w < WRITERS; w++) {
				int writer = w;
				writers.add(executor.submit(() -> {
					for (int i = 0; !stop.get(); i++) {
						String key = "w" + writer + "/" + i;
						String value = key + "@" + System.nanoTime();
						long started = System.nanoTime();
						try {
							store.put(key, value);
							acknowledged.put(key, value);
							long now = System.nanoTime();
							// Only a write begun after the leader was dead shows the cluster recovered.
							if (started > killedAt.get()) {
								firstAckAfterKill.accumulateAndGet(now, Math::min);
								acksAfterKill.incrementAndGet();
							}
						}
						catch (StoreUnavailableException ex) {
							unavailable.incrementAndGet();
						}
						catch (RuntimeException ex) {
							synchronized (unexpected) {
								unexpected.add(ex);
							}
						}
					}
				}));
			}
			await().atMost(RECOVERY_BOUND).until(() -> acknowledged.size() >= WARM_UP_WRITES);
			leader = TestClusters.leader(backend());
			// kill returns once the process is gone: the clock starts at a dead leader.
			TestClusters.kill(leader);
			killedAt.set(System.nanoTime());
			// Recovered: writes are acknowledged again, by enough calls to show it is not a fluke.
			await().atMost(RECOVERY_BOUND).until(() -> acksAfterKill.get() >= WARM_UP_WRITES);
			stop.set(true);
			for (Future<?> writer : writers) {
				writer.get(Timing.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
			}
		}
		finally {
			stop.set(true);
			executor.shutdownNow();
			if (leader != null) {
				TestClusters.start(leader);
			}
		}
		assertThat(unexpected).as("errors other than StoreUnavailableException").isEmpty();
		List<String> lost = new ArrayList<>();
		try (Store reader = Stores.open(storeConfig().namespace(namespace).build())) {
			acknowledged.forEach((key, value) -> {
				if (reader.find(key).map((pair) -> !pair.valueAsString().equals(value)).orElse(true)) {
					lost.add(key);
				}
			});
		}
		long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(firstAckAfterKill.get() - killedAt.get());
		System.out.printf("FAILOVER %s: leader %s killed; writes acknowledged %d, lost %d, failed (unavailable) %d, "
				+ "first write begun after the kill acknowledged %d ms after it%n", backend(), leader, acknowledged.size(), lost.size(),
				unavailable.get(), recoveryMillis);
		assertThat(lost).as("acknowledged writes missing after the fail-over").isEmpty();
		assertThat(Duration.ofMillis(recoveryMillis)).isLessThan(RECOVERY_BOUND);
	}

}
