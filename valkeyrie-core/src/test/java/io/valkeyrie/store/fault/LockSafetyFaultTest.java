package io.valkeyrie.store.fault;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.fault.LockHistory.Acquisition;
import io.valkeyrie.store.fault.LockHistory.Write;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lock safety under real process faults: three {@link LockClient} JVMs compete for one lock on
 * a real server, each making a fenced compare-and-set of a counter while it holds the lock.
 * The first holder is frozen (SIGSTOP) past its TTL and resumed, a later holder is killed
 * (SIGKILL). The clients' logs must show no overlap of running holders, strictly increasing
 * fencing tokens, a counter equal to the accepted writes, the frozen holder told of its loss
 * before its next write could succeed, and a takeover within the TTL (plus Consul's
 * lock-delay) after the kill.
 * <p>
 * The local backend is not here: its file is locked by the one process that opens it, so
 * there is no second process to compete (its frozen-holder case is in the contract tests).
 */
class LockSafetyFaultTest {

	private static final int ROUNDS = 6;

	/** Consul's lock-delay, kept short but non-zero so the takeover bound includes it. */
	private static final Duration CONSUL_LOCK_DELAY = Duration.ofSeconds(1);

	@TempDir
	Path directory;

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "etcd", "redis", "zookeeper", "consul" })
	void holdersNeverOverlapThroughFreezeAndKill(String backend) throws Exception {
		String endpoint = TestServers.endpoint(backend);
		List<String> options = switch (backend) {
			// The minimum TTL is the session timeout: a short one keeps the run short.
			case "zookeeper" -> List.of("session-timeout=2s");
			case "consul" -> List.of("lock-delay=" + CONSUL_LOCK_DELAY.toMillis() + "ms");
			default -> List.of();
		};
		Duration lockDelay = backend.equals("consul") ? CONSUL_LOCK_DELAY : Duration.ZERO;
		String namespace = "fault-" + UUID.randomUUID();
		StoreConfig.Builder config = StoreConfig.builder(backend).endpoints(endpoint).namespace(namespace)
			// Generous: the client JVMs start on the same busy machine.
			.requestTimeout(Duration.ofSeconds(20));
		options.forEach((option) -> config.option(option.substring(0, option.indexOf('=')),
				option.substring(option.indexOf('=') + 1)));
		try (Store store = Stores.open(config.build())) {
			Duration ttl = (store.minimumTtl().compareTo(Duration.ofSeconds(2)) < 0) ? Duration.ofSeconds(2)
					: store.minimumTtl();
			List<String> head = List.of(backend, endpoint, namespace, String.valueOf(ttl.toMillis()),
					String.valueOf(ROUNDS));
			List<ClientProcess> clients = new ArrayList<>();
			try {
				LockHistory history = run(clients, head, options, ttl, lockDelay);
				check(history, store, ttl, lockDelay);
			}
			finally {
				for (ClientProcess client : clients) {
					client.close();
				}
				store.deleteTree("");
			}
		}
	}

	private LockHistory run(List<ClientProcess> clients, List<String> head, List<String> options, Duration ttl,
			Duration lockDelay) throws Exception {
		ClientProcess frozen = start(clients, "frozen", "park", head, options);
		long frozenToken = token(frozen.await("PARKED", Timing.seconds(60)));
		ClientProcess killed = start(clients, "killed", "park", head, options);
		killed.await("STARTED", Timing.seconds(60));
		long stopped = frozen.signal("STOP");
		// Frozen: no renewal, no timer. The server lets the lock go after its TTL and the other client takes it.
		long takenToken = token(killed.await("PARKED", ttl.multipliedBy(3).plus(Timing.seconds(30))));
		long resumed = frozen.signal("CONT");
		frozen.send("GO");
		ClientProcess steady = start(clients, "steady", "run", head, options);
		steady.await("STARTED", Timing.seconds(60));
		frozen.await("NOT_HELD", Timing.seconds(30));
		long kill = killed.signal("KILL");
		killed.awaitDeath(Timing.seconds(10));
		frozen.awaitExit(Timing.seconds(120));
		steady.awaitExit(Timing.seconds(120));
		LockHistory history = new LockHistory();
		for (ClientProcess client : clients) {
			history.read(client);
		}
		String logs = history.dump();
		assertThat(takenToken).as("token of the holder after the freeze\n%s", logs).isGreaterThan(frozenToken);
		mark(history.of("frozen").get(0), stopped, logs);
		List<Acquisition> killedAcquisitions = history.of("killed");
		mark(killedAcquisitions.get(killedAcquisitions.size() - 1), kill, logs);
		// Takeover after the kill: the server frees the lock at most a TTL (+ lock-delay) after the last renewal.
		Acquisition next = history.all().stream().filter((a) -> a.acquired > kill).findFirst()
			.orElseThrow(() -> new AssertionError("nobody took the lock after the kill\n" + logs));
		assertThat(Duration.ofNanos(next.acquired - kill)).as("takeover after SIGKILL\n%s", logs)
			.isLessThanOrEqualTo(ttl.plus(lockDelay).plus(Timing.seconds(10)));
		Acquisition frozenHold = history.of("frozen").get(0);
		assertThat(frozenHold.writes).as("writes of the frozen holder\n%s", logs).hasSize(2);
		Write wake = frozenHold.writes.get(1);
		assertThat(wake.wake()).isTrue();
		assertThat(wake.start()).isGreaterThan(resumed);
		// Told before its next write could succeed: the write after waking is refused and the loss already reported.
		assertThat(wake.accepted()).as("write of the resumed holder\n%s", logs).isFalse();
		assertThat(wake.told()).as("resumed holder told of the loss by its write's end\n%s", logs).isTrue();
		assertThat(frozenHold.unlocked).as("unlock of the lost lease\n%s", logs).isEqualTo("NOT_HELD");
		return history;
	}

	private void check(LockHistory history, Store store, Duration ttl, Duration lockDelay) {
		String logs = history.dump();
		List<Acquisition> all = history.all();
		assertThat(all).as("acquisitions\n%s", logs).hasSizeGreaterThanOrEqualTo(2 * ROUNDS + 1);
		for (int i = 1; i < all.size(); i++) {
			Acquisition before = all.get(i - 1);
			Acquisition after = all.get(i);
			assertThat(after.token).as("fencing token of %s after %s\n%s", after, before, logs).isGreaterThan(before.token);
			assertThat(after.acquired).as("%s acquired while %s still ran as holder\n%s", after, before, logs)
				.isGreaterThan(before.end());
		}
		for (Acquisition acquisition : all) {
			for (Write write : acquisition.writes) {
				if (write.accepted()) {
					assertThat(write.end()).as("accepted write of %s after its hold ended\n%s", acquisition, logs)
						.isLessThanOrEqualTo(acquisition.end());
				}
			}
		}
		KVPair counter = store.get(LockClient.COUNTER);
		String[] value = new String(counter.value(), StandardCharsets.UTF_8).split(":");
		assertThat(Long.parseLong(value[0])).as("counter vs accepted writes\n%s", logs).isEqualTo(history.accepted());
		long lastAccepted = all.stream().filter((a) -> a.writes.stream().anyMatch(Write::accepted))
			.mapToLong((a) -> a.token).max().orElseThrow();
		assertThat(Long.parseLong(value[1])).as("token of the last accepted write\n%s", logs).isEqualTo(lastAccepted);
	}

	private ClientProcess start(List<ClientProcess> clients, String name, String role, List<String> head,
			List<String> options) throws Exception {
		List<String> tail = new ArrayList<>();
		tail.add(role);
		tail.addAll(options);
		ClientProcess client = ClientProcess.start(name, this.directory.resolve(name + ".log"), head, tail);
		clients.add(client);
		return client;
	}

	private static void mark(Acquisition acquisition, long signalled, String logs) {
		assertThat(acquisition.acquired).as("signalled acquisition %s\n%s", acquisition, logs).isLessThan(signalled);
		acquisition.signalled = signalled;
	}

	private static long token(String line) {
		return Long.parseLong(line.split(" ")[1]);
	}

}
