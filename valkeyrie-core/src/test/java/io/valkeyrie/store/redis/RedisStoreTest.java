package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What only Redis can show: the documented data layout, pub/sub loss, a server outage, a
 * connection factory handed over by the application, ACL credentials and options.
 */
@ServerUse(shared = {}, exclusive = { "redis", "redis-sentinel" })
class RedisStoreTest {

	/** Locks that outlast every test: only an unlock or a retry can hand them over. */
	private static final LockOptions LONG_TTL = LockOptions.builder().ttl(Duration.ofSeconds(30)).build();

	private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

	private String endpoint;

	private String namespace;

	private RedisCommands<String, String> redis;

	@BeforeEach
	void connect() {
		this.endpoint = TestServers.endpoint("redis");
		this.namespace = "redis-test/" + UUID.randomUUID().toString().substring(0, 8);
		RedisClient client = RedisClient.create(this.endpoint);
		StatefulRedisConnection<String, String> connection = client.connect();
		this.resources.add(client::shutdown);
		this.resources.add(connection);
		this.redis = connection.sync();
	}

	@AfterEach
	void close() throws Exception {
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	private StoreConfig.Builder config() {
		return StoreConfig.builder("redis").endpoints(this.endpoint).namespace(this.namespace);
	}

	private RedisStore open(StoreConfig.Builder config) {
		RedisStore store = RedisStore.open(config.build());
		this.resources.add(0, store);
		return store;
	}

	@Test
	void dataLivesInTheDocumentedLayoutAndNeedsNoKeyspaceNotifications() {
		RedisStore store = open(config());
		store.put("a/b c*", "value");
		store.put("t", "x".getBytes(StandardCharsets.UTF_8), WriteOptions.ttl(Duration.ofSeconds(30)));
		String base = "valkeyrie{" + this.namespace + "}:";
		KVPair pair = store.get("a/b c*");
		assertThat(this.redis.get(base + "d:a/b c*")).isEqualTo(pair.lastIndex() + ":value");
		assertThat(this.redis.zrange(base + "i", 0, -1)).containsExactly("a/b c*", "t");
		assertThat(this.redis.zrange(base + "x", 0, -1)).containsExactly("t");
		assertThat(this.redis.pttl(base + "d:t")).isBetween(1L, 30_000L);
		assertThat(Long.parseLong(this.redis.get(base + "n"))).isEqualTo(store.get("t").lastIndex());
		assertThat(this.redis.configGet("notify-keyspace-events")).containsEntry("notify-keyspace-events", "");
		this.redis.set(base + "d:foreign", "no index");
		assertThatThrownBy(() -> store.get("foreign")).isInstanceOf(StoreException.class)
			.hasMessageContaining("'foreign' is not a valkeyrie entry");
	}

	@Test
	void serverInfoTellsTheRedisVersionAndRole() {
		RedisStore store = open(config());
		Map<String, Object> info = store.serverInfo();
		assertThat(info).containsEntry("role", "master").containsKey("version");
		assertThat(info.get("version")).isEqualTo(this.redis.info("server").lines()
			.filter((line) -> line.startsWith("redis_version:"))
			.findFirst()
			.orElseThrow()
			.substring("redis_version:".length())
			.trim());
	}

	@Test
	void bookkeepingOfTheRootNamespaceIsNeverListed() {
		RedisStore store = open(config().namespace(""));
		String key = "root-test-" + UUID.randomUUID();
		store.put(key, "v");
		try (LockLease lease = store.newLock(key).lock()) {
			assertThat(store.list("").stream().map(KVPair::key)).contains(key).allMatch((k) -> !k.contains("{"));
			assertThat(this.redis.exists("valkeyrie{/}:l:" + key)).isEqualTo(1);
		}
		finally {
			store.delete(key);
		}
	}

	@Test
	void watchResumesFromTheHistoryStreamOrResyncsWhenItNoLongerReachesBack() {
		RedisStore store = open(config().option(RedisOptions.HISTORY, "always"));
		store.put("r/a", "1");
		long from = store.get("r/a").lastIndex();
		store.put("r/b", "2");
		store.delete("r/a");
		store.put("r/b", "3");
		store.put("elsewhere", "x");
		assertThat(resumeTree(store, from, 3)).containsExactly("put r/b=2 {r/a=1, r/b=2}", "delete r/a {r/b=2}",
				"put r/b=3 {r/b=3}");

		this.redis.xtrim("valkeyrie{" + this.namespace + "}:h", 0);
		assertThat(resumeTree(store, from, 1)).containsExactly("resync {r/b=3}");
	}

	@Test
	void historyIsWrittenOnlyWhileTheNamespaceIsWatchedAndAResumeOverAGapResyncs() {
		RedisStore store = open(config());
		String base = "valkeyrie{" + this.namespace + "}:";
		store.put("r/a", "1");
		long unwatched = store.get("r/a").lastIndex();
		store.put("r/b", "2");
		assertThat(this.redis.exists(base + "h", base + "w")).isZero();
		assertThat(resumeTree(store, unwatched, 1)).containsExactly("resync {r/a=1, r/b=2}");
		assertThat(this.redis.pttl(base + "w")).isBetween(1L, Duration.ofMinutes(5).toMillis());

		// While watched (and for history-linger after the last watch closed), every change is kept.
		long watched = store.get("r/b").lastIndex();
		store.put("r/c", "3");
		store.delete("r/a");
		assertThat(resumeTree(store, watched, 2)).containsExactly("put r/c=3 {r/a=1, r/b=2, r/c=3}",
				"delete r/a {r/b=2, r/c=3}");

		// A change written while nobody was registered leaves a gap: resuming over it resyncs.
		this.redis.del(base + "w");
		store.put("r/gap", "not kept");
		this.redis.psetex(base + "w", 60_000, "1");
		store.put("r/d", "4");
		assertThat(this.redis.xlen(base + "h")).isEqualTo(3);
		assertThat(resumeTree(store, watched, 1)).containsExactly("resync {r/b=2, r/c=3, r/d=4, r/gap=not kept}");
	}

	/** The events of a watch of tree {@code r} resumed from {@code index}, once there are {@code count}. */
	private static List<String> resumeTree(Store store, long index, int count) {
		List<String> events = new CopyOnWriteArrayList<>();
		store.watchTree("r", WatchOptions.DEFAULTS.resumeFrom(index), (event) -> events.add(describe(event)));
		await().atMost(Timing.seconds(5)).until(() -> events.size() >= count);
		return events;
	}

	@Test
	void onlyAStoreWithWatchesIsSentTheChangesOfTheNamespace() {
		RedisStore store = open(config());
		String channel = "valkeyrie{" + this.namespace + "}:c";
		store.put("k", "v");
		assertThat(this.redis.pubsubNumsub(channel)).containsEntry(channel, 0L);
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watch("k", events::add);
		assertThat(this.redis.pubsubNumsub(channel)).containsEntry(channel, 1L);
		store.put("k", "w");
		await().atMost(Timing.seconds(5)).until(() -> events.stream()
			.anyMatch((e) -> e instanceof WatchEvent.Put p && p.pair().valueAsString().equals("w")));
		assertThat(events.get(0)).isInstanceOfSatisfying(WatchEvent.Snapshot.class, (s) -> assertThat(s.isResync()).isFalse());
	}

	private static String describe(WatchEvent event) {
		String state = event.current().values().stream().map((p) -> p.key() + "=" + p.valueAsString()).toList().toString();
		state = "{" + state.substring(1, state.length() - 1) + "}";
		if (event instanceof WatchEvent.Put put) {
			return "put " + put.key() + "=" + put.pair().valueAsString() + " " + state;
		}
		if (event instanceof WatchEvent.Delete delete) {
			return "delete " + delete.key() + " " + state;
		}
		return (((WatchEvent.Snapshot) event).isResync() ? "resync " : "snapshot ") + state;
	}

	@Test
	void valuesTooLargeToInlineAreReadByTheFeedAndEndTheHistory() {
		RedisStore store = open(config().option(RedisOptions.INLINE_VALUE_LIMIT, 8));
		store.put("big", "small");
		long from = store.get("big").lastIndex();
		List<String> changes = new CopyOnWriteArrayList<>();
		store.watch("big", (event) -> changes.add(describe(event)));
		String large = "x".repeat(100);
		store.put("big", large);
		await().atMost(Timing.seconds(5)).until(() -> changes.contains("put big=" + large + " {big=" + large + "}"));
		assertThat(this.redis.xrange("valkeyrie{" + this.namespace + "}:h", io.lettuce.core.Range.create("-", "+")))
			.last()
			.satisfies((entry) -> assertThat(entry.getBody()).doesNotContainKey("v").containsEntry("q", "small"));
		List<String> resumed = new CopyOnWriteArrayList<>();
		store.watch("big", WatchOptions.DEFAULTS.resumeFrom(from), (event) -> resumed.add(describe(event)));
		await().atMost(Timing.seconds(5)).until(() -> !resumed.isEmpty());
		assertThat(resumed).containsExactly("resync {big=" + large + "}");
	}

	@Test
	void unlockOfALockWhoseRecordIsGoneIsLockNotHeld() {
		RedisStore store = open(config());
		StoreLock lock = store.newLock("l", LONG_TTL);
		LockLease lease = lock.lock();
		this.redis.del("valkeyrie{" + this.namespace + "}:l:l");
		assertThatThrownBy(lock::unlock).isInstanceOf(LockNotHeldException.class).hasMessageContaining("'l'");
		assertThat(lease.isValid()).isFalse();
		assertThat(lease.lost().toCompletableFuture().join().reason()).isEqualTo(io.valkeyrie.store.LockLoss.Reason.RECORD_REMOVED);
	}

	@Test
	void holderIsToldWhenRenewalFindsTheLockRecordGone() {
		RedisStore store = open(config());
		LockLease lease = store.newLock("l", LockOptions.builder().ttl(Duration.ofSeconds(1)).build()).lock();
		this.redis.del("valkeyrie{" + this.namespace + "}:l:l");
		var loss = lease.lost().toCompletableFuture();
		await().atMost(Timing.seconds(3)).until(loss::isDone);
		assertThat(loss.join().reason()).isEqualTo(io.valkeyrie.store.LockLoss.Reason.RECORD_REMOVED);
		assertThat(lease.isValid()).isFalse();
	}

	@Test
	void killedPubSubConnectionResyncsEveryWatchToTheServerState() {
		RedisStore store = open(config());
		RedisStore writer = open(config());
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watchTree("w", events::add);
		await().atMost(Timing.seconds(5)).until(() -> !events.isEmpty());
		this.redis.clientKill(KillArgs.Builder.typePubsub());
		writer.put("w/while-away", "missed?");
		await().atMost(Timing.seconds(10)).until(() -> events.stream()
			.anyMatch((e) -> e instanceof WatchEvent.Snapshot s && s.isResync() && s.current().containsKey("w/while-away")
					|| e instanceof WatchEvent.Put p && p.key().equals("w/while-away")));
		await().atMost(Timing.seconds(10))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Snapshot s && s.isResync()));
		writer.put("w/after", "seen");
		await().atMost(Timing.seconds(5))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Put p && p.key().equals("w/after")));
	}

	@Test
	void serverOutageFailsCallsWithinTheTimeoutAndTheStoreRecovers() {
		RedisStore store = open(config().requestTimeout(Duration.ofSeconds(1)));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		List<String> values = new CopyOnWriteArrayList<>();
		store.watch("k", (event) -> {
			events.add(event);
			KVPair current = event.current().get("k");
			values.add((current != null) ? current.valueAsString() : "<absent>");
		});
		store.put("k", "before");
		TestServers.stop("redis");
		try {
			long started = System.nanoTime();
			assertThatThrownBy(() -> store.put("k", "during")).isInstanceOf(StoreUnavailableException.class)
				.satisfies((ex) -> assertThat(((StoreUnavailableException) ex).backend()).isEqualTo("redis"));
			assertThatThrownBy(() -> store.get("k")).isInstanceOf(StoreUnavailableException.class);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Timing.seconds(3));
		}
		finally {
			TestServers.start("redis");
		}
		await().atMost(Timing.seconds(10)).ignoreExceptions().until(() -> {
			store.put("k", "after");
			return true;
		});
		assertThat(store.get("k").valueAsString()).isEqualTo("after");
		await().atMost(Timing.seconds(10)).until(() -> values.contains("after"));
		assertThat(events).anyMatch((e) -> e instanceof WatchEvent.Snapshot s && s.isResync());
	}

	@Test
	void watchOpenedWhileRedisIsAwayResyncsOnceItsChangeSubscriptionIsConfirmed() {
		RedisStore store = open(config().requestTimeout(Duration.ofSeconds(1)));
		store.put("k", "before");
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		TestServers.stop("redis");
		try {
			long started = System.nanoTime();
			store.watch("k", events::add);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Timing.seconds(5));
		}
		finally {
			TestServers.start("redis");
		}
		RedisStore writer = open(config());
		writer.put("k", "after");
		// Bounded by the resubscription after Redis came back, which a loaded machine (two test JVMs) slows.
		await().atMost(Timing.seconds(30))
			// On a timeout, what the watch did get tells a lost resync from a late one.
			.conditionEvaluationListener((condition) -> {
				if (condition.getRemainingTimeInMS() <= condition.getPollInterval().toMillis()) {
					System.out.println("watch events so far: " + events);
				}
			})
			.until(() -> events.stream().anyMatch((e) -> value(e).equals("after")));
		writer.put("k", "later");
		await().atMost(Timing.seconds(10))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Put p && p.pair().valueAsString().equals("later")));
	}

	private static String value(WatchEvent event) {
		if (event instanceof WatchEvent.Put put) {
			// A change's current() is only available while the listener handles it.
			return put.pair().valueAsString();
		}
		if (event instanceof WatchEvent.Delete) {
			return "<absent>";
		}
		KVPair pair = event.current().get("k");
		return (pair != null) ? pair.valueAsString() : "<absent>";
	}

	@Test
	void storeKeepsWorkingAfterASentinelFailOver() {
		String sentinel = TestServers.endpoint("redis-sentinel");
		RedisClient client = RedisClient.create();
		this.resources.add(client::shutdown);
		var sentinels = client.connectSentinel(io.lettuce.core.RedisURI.create(sentinel));
		this.resources.add(sentinels);
		RedisStore store = open(StoreConfig.builder("redis").endpoints(sentinel).namespace(this.namespace)
			.option(RedisOptions.SENTINEL_MASTER, "valkeyrie").requestTimeout(Duration.ofSeconds(2)));
		List<String> values = new CopyOnWriteArrayList<>();
		store.watch("k", (event) -> {
			KVPair current = event.current().get("k");
			values.add((current != null) ? current.valueAsString() : "<absent>");
		});
		store.put("k", "before");
		var master = sentinels.sync().getMasterAddrByName("valkeyrie");
		sentinels.sync().failover("valkeyrie");
		await().atMost(Timing.seconds(20)).until(() -> !master.equals(sentinels.sync().getMasterAddrByName("valkeyrie")));
		await().atMost(Timing.seconds(20)).ignoreExceptions().until(() -> {
			store.put("k", "after");
			return true;
		});
		assertThat(store.get("k").valueAsString()).isEqualTo("after");
		await().atMost(Timing.seconds(10)).until(() -> values.contains("after"));
		try (LockLease lease = store.newLock("l").tryLock(Duration.ofSeconds(5)).orElseThrow()) {
			assertThat(lease.fencingToken()).isPositive();
		}
	}

	@Test
	void sentinelCanBeGivenAsOneLettuceStyleEndpoint() {
		String sentinel = TestServers.endpoint("redis-sentinel").replace("redis://", "redis-sentinel://") + "#valkeyrie";
		RedisStore store = open(StoreConfig.builder("redis").endpoints(sentinel).namespace(this.namespace));
		store.put("k", "v");
		assertThat(store.get("k").valueAsString()).isEqualTo("v");
		assertThatThrownBy(() -> open(StoreConfig.builder("redis").endpoints(sentinel.replace("#valkeyrie", ""))))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("redis-sentinel://host:port[,host:port...]#master");
	}

	@Test
	void storeUsesAGivenConnectionFactoryAndLeavesItOpen() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", java.net.URI.create(this.endpoint).getPort()));
		factory.afterPropertiesSet();
		factory.start();
		this.resources.add(factory::destroy);
		Store store = RedisStore.open(config().build(), factory);
		store.put("k", "v");
		Store other = open(config());
		assertThat(other.get("k").valueAsString()).isEqualTo("v");
		store.close();
		try (var connection = factory.getConnection()) {
			assertThat(connection.ping()).isEqualTo("PONG");
		}
	}

	@Test
	void aclCredentialsAreUsedAndNeverShown() {
		String user = "vk-" + UUID.randomUUID().toString().substring(0, 8);
		String password = "s3cret-" + UUID.randomUUID();
		this.redis.aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.on().addPassword(password).allKeys().allChannels().allCommands());
		this.resources.add(() -> this.redis.aclDeluser(user));
		RedisStore store = open(config().credentials(user, password));
		store.put("k", "v");
		assertThat(store.toString()).doesNotContain(password);
		String withUserInfo = this.endpoint.replace("redis://", "redis://" + user + ":" + password + "@");
		RedisStore fromEndpoint = open(StoreConfig.builder("redis").endpoints(withUserInfo).namespace(this.namespace));
		assertThat(fromEndpoint.get("k").valueAsString()).isEqualTo("v");
		assertThat(fromEndpoint.toString()).doesNotContain(password).contains(user + ":******@");
		assertThat(fromEndpoint.config().toString()).doesNotContain(password);
		assertThatThrownBy(() -> open(config().credentials(user, password + "-wrong")))
			.isInstanceOf(StoreException.class)
			.satisfies((ex) -> assertThat(ex.toString()).doesNotContain(password));
	}

	/**
	 * A password given as a supplier is asked for on every connect: after the ACL user's
	 * password is changed on the server and the store's connections are killed, the store
	 * reconnects (commands and its subscription) with the supplier's new password.
	 */
	@Test
	void aSuppliedPasswordIsAskedForAgainOnReconnectSoARotatedOneIsUsed() {
		String user = "vk-" + UUID.randomUUID().toString().substring(0, 8);
		String first = "s3cret-" + UUID.randomUUID();
		String rotated = "rotated-" + UUID.randomUUID();
		this.redis.aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.on().addPassword(first).allKeys().allChannels().allCommands());
		this.resources.add(() -> this.redis.aclDeluser(user));
		AtomicReference<String> current = new AtomicReference<>(first);
		AtomicInteger asked = new AtomicInteger();
		RedisStore store = open(config().credentials(user, () -> {
			asked.incrementAndGet();
			return current.get().toCharArray();
		}));
		List<String> events = new CopyOnWriteArrayList<>();
		store.watch("k", (event) -> events.add(describe(event)));
		store.put("k", "v1");
		await().atMost(Timing.seconds(5)).until(() -> events.contains("put k=v1 {k=v1}"));
		// The server now takes only the new password; authenticated connections stay so until killed.
		this.redis.aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.resetpass().addPassword(rotated));
		current.set(rotated);
		int before = asked.get();
		assertThat(this.redis.clientKill(KillArgs.Builder.user(user))).as("connections killed").isPositive();
		await().atMost(Timing.seconds(15)).ignoreExceptions().untilAsserted(() -> store.put("k", "v2"));
		assertThat(store.get("k").valueAsString()).isEqualTo("v2");
		assertThat(asked.get()).as("times the password was asked for").isGreaterThan(before);
		// The subscription reconnected with it too: a write is seen (retried: one made while it
		// resubscribes may come as a resync instead).
		await().atMost(Timing.seconds(15)).until(() -> {
			store.put("k", "v3");
			return events.stream().anyMatch((event) -> event.contains("k=v3"));
		});
	}

	@Test
	void scriptsRunAsOneFunctionLibraryThatIsLoadedAgainWhenTheServerLosesIt() {
		RedisStore store = open(config());
		String library = RedisScript.libraryName();
		assertThat(this.redis.functionList(library)).hasSize(1);
		this.redis.scriptFlush();
		store.put("k", "v1");
		// As after a restart without persistence: only a store calling its functions loads them again.
		this.redis.dispatch(io.lettuce.core.protocol.CommandType.FUNCTION,
				new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
				new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).add("DELETE").add(library));
		assertThat(this.redis.functionList(library)).isEmpty();
		store.put("k", "v2");
		assertThat(this.redis.functionList(library)).hasSize(1);
		assertThat(store.get("k").valueAsString()).isEqualTo("v2");
		assertThat(this.redis.scriptExists(RedisScript.WRITE.sha())).containsExactly(false);
	}

	@Test
	void withoutTheFunctionCommandTheScriptsRunWithEvalsha() {
		String user = "vk-" + UUID.randomUUID().toString().substring(0, 8);
		String password = "s3cret-" + UUID.randomUUID();
		this.redis.aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.on()
			.addPassword(password)
			.allKeys()
			.allChannels()
			.allCommands()
			.removeCommand(io.lettuce.core.protocol.CommandType.FUNCTION));
		this.resources.add(() -> this.redis.aclDeluser(user));
		RedisStore store = open(config().credentials(user, password));
		List<String> events = new CopyOnWriteArrayList<>();
		store.watch("k", (event) -> events.add(describe(event)));
		this.redis.scriptFlush();
		store.put("k", "v1");
		assertThat(this.redis.scriptExists(RedisScript.WRITE.sha())).containsExactly(true);
		KVPair written = store.atomicPut("k", "v2".getBytes(StandardCharsets.UTF_8), store.get("k"), WriteOptions.NONE);
		assertThat(store.list("").stream().map(KVPair::valueAsString)).containsExactly("v2");
		store.atomicDelete("k", written);
		assertThat(store.exists("k")).isFalse();
		await().atMost(Timing.seconds(5)).until(() -> events.containsAll(List.of("put k=v1 {k=v1}", "put k=v2 {k=v2}", "delete k {}")));
	}

	@Test
	void aFullRedisStillServesReadsDeletesAndUnlocksAndRefusesWritesClearly() {
		RedisStore store = open(config());
		store.put("a", "1");
		store.put("b", "2");
		LockLease lease = store.newLock("l", LONG_TTL).lock();
		String limit = this.redis.configGet("maxmemory").get("maxmemory");
		// Above maxmemory (noeviction): Redis refuses any function that may write before it runs.
		this.redis.configSet("maxmemory", "1");
		try {
			assertThat(store.list("")).extracting(KVPair::key).containsExactly("a", "b");
			assertThat(store.get("a").valueAsString()).isEqualTo("1");
			assertThatThrownBy(() -> store.put("c", "3")).isInstanceOf(StoreException.class).hasMessageContaining("OOM");
			store.delete("a");
			lease.close();
		}
		finally {
			this.redis.configSet("maxmemory", limit);
		}
		assertThat(store.list("")).extracting(KVPair::key).containsExactly("b");
		assertThat(this.redis.exists("valkeyrie{" + this.namespace + "}:l:l")).isZero();
	}

	@Test
	void aListenerOnAnExecutorThatRunsItAtOnceNeverRunsOnTheRedisIoThread() {
		RedisStore store = open(config());
		store.put("k", "v0");
		List<String> threads = new CopyOnWriteArrayList<>();
		List<String> seen = new CopyOnWriteArrayList<>();
		store.watch("k", WatchOptions.DEFAULTS.withExecutor(Runnable::run), (event) -> {
			threads.add(Thread.currentThread().getName());
			// A blocking call here would stall the client's event loop if this ran on it.
			seen.add(store.get("k").valueAsString());
		});
		for (int i = 1; i <= 20; i++) {
			store.put("k", "v" + i);
		}
		await().atMost(Timing.seconds(10)).until(() -> seen.contains("v20"));
		assertThat(threads).isNotEmpty().noneMatch((name) -> name.contains("EventLoop") || name.startsWith("lettuce-"));
	}

	@Test
	void openingWithoutAReachableServerFailsAsUnavailable() throws Exception {
		int closedPort;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		long started = System.nanoTime();
		assertThatThrownBy(() -> open(StoreConfig.builder("redis").endpoints("127.0.0.1:" + closedPort)
			.connectTimeout(Duration.ofSeconds(1))
			.requestTimeout(Duration.ofSeconds(1)))).isInstanceOf(StoreUnavailableException.class);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Timing.seconds(3));
	}

	@Test
	void unknownOptionsFailNamingTheKnownOnes() {
		assertThatThrownBy(() -> open(config().option("sentinelMasterName", "x")))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("sentinelMasterName")
			.hasMessageContaining(RedisOptions.SENTINEL_MASTER);
		assertThatThrownBy(() -> open(config().option(RedisOptions.HISTORY, "sometimes")))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("'while-watched' or 'always'");
	}

	@Test
	void lockWaiterIsWokenByTheUnlockMessageNotByTheTtl() {
		RedisStore other = open(config());
		LockLease held = open(config()).newLock("l", LONG_TTL).lock();
		long[] wokenAfter = new long[1];
		Thread waiter = new Thread(() -> {
			long started = System.nanoTime();
			other.newLock("l", LONG_TTL).tryLock(Duration.ofSeconds(20)).ifPresent((lease) -> {
				wokenAfter[0] = System.nanoTime() - started;
				lease.close();
			});
		});
		waiter.start();
		// Released only once the waiter tried, failed and sleeps on the unlock signal (its TTL is 30 s away).
		await().atMost(Timing.seconds(5)).until(() -> waitsForUnlock(waiter));
		long released = System.nanoTime();
		held.close();
		await().atMost(Timing.seconds(5)).until(() -> !waiter.isAlive());
		assertThat(wokenAfter[0]).isPositive();
		assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Timing.millis(500));
	}

	@Test
	void unlockPublishesOnlyWhenSomeoneWaitsAndThenWakesOneWaiter() throws Exception {
		RedisStore store = open(config());
		RedisStore other = open(config());
		List<String> messages = new CopyOnWriteArrayList<>();
		unlockMessages((channel, message) -> messages.add(message));
		for (int i = 0; i < 3; i++) {
			store.newLock("l", LONG_TTL).lock().close();
		}
		LockLease held = store.newLock("l", LONG_TTL).lock();
		List<Thread> waiters = new CopyOnWriteArrayList<>();
		List<Long> tokens = new CopyOnWriteArrayList<>();
		for (RedisStore waiting : List.of(store, other, other)) {
			Thread waiter = new Thread(() -> waiting.newLock("l", LONG_TTL).tryLock(Duration.ofSeconds(20)).ifPresent((lease) -> {
				tokens.add(lease.fencingToken());
				lease.close();
			}));
			waiter.start();
			waiters.add(waiter);
		}
		String waitersKey = "valkeyrie{" + this.namespace + "}:w:l";
		await().atMost(Timing.seconds(5))
			.until(() -> this.redis.zcard(waitersKey) == 3 && waiters.stream().allMatch(RedisStoreTest::waitsForUnlock));
		assertThat(messages).isEmpty();
		held.close();
		for (Thread waiter : waiters) {
			waiter.join(Timing.seconds(5).toMillis());
		}
		assertThat(tokens).hasSize(3);
		// At most one wake-up per unlock that found waiters, each naming the one waiter it wakes (told to
		// each of the two stores with waiters).
		assertThat(new java.util.HashSet<>(messages)).hasSizeBetween(1, 3);
		assertThat(messages).hasSizeBetween(1, 6).allMatch((message) -> message.matches("\\S+ \\d+ l"));
		// Nothing left behind.
		await().atMost(Timing.seconds(2)).until(() -> this.redis.exists(waitersKey, "valkeyrie{" + this.namespace + "}:l:l") == 0);
	}

	@Test
	void aHandOverIsPublishedOnlyToTheStoreOfTheWaiter() throws Exception {
		LockLease held = open(config()).newLock("l", LONG_TTL).lock();
		RedisStore waiting = open(config());
		// A store of the namespace that waits for no lock: the hand-over must not wake it.
		open(config());
		List<String> channels = new CopyOnWriteArrayList<>();
		List<String> messages = new CopyOnWriteArrayList<>();
		unlockMessages((channel, message) -> {
			channels.add(channel);
			messages.add(message);
		});
		long[] acquiredAt = new long[1];
		Thread waiter = waitingThread(waiting, acquiredAt);
		held.close();
		waiter.join(Timing.seconds(5).toMillis());
		assertThat(acquiredAt[0]).isPositive();
		await().atMost(Timing.seconds(5)).until(() -> !messages.isEmpty());
		assertThat(messages).singleElement().asString().endsWith(" l");
		// Published on the channel of the waiter's store (its token starts with the store's id), which only it subscribes.
		String token = messages.get(0).substring(0, messages.get(0).indexOf(' '));
		String channel = "valkeyrie{" + this.namespace + "}:u:" + token.substring(0, token.lastIndexOf('-'));
		assertThat(channels).containsExactly(channel);
		assertThat(this.redis.pubsubNumsub(channel)).containsEntry(channel, 1L);
	}

	/** Hear every unlock message of the namespace, on whichever store's channel. */
	private void unlockMessages(java.util.function.BiConsumer<String, String> listener) {
		RedisClient client = RedisClient.create(this.endpoint);
		this.resources.add(client::shutdown);
		var subscriber = client.connectPubSub();
		this.resources.add(subscriber);
		subscriber.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {

			@Override
			public void message(String pattern, String channel, String message) {
				listener.accept(channel, message);
			}

		});
		subscriber.sync().psubscribe("valkeyrie{" + this.namespace + "}:u*");
	}

	@Test
	void aHandOverToAWaiterWhoseStoreDiedHoldsTheLockForATtlAtMost() {
		RedisStore other = open(config());
		// Held for 3 s at a time: the live waiter looks again at least every 3 s.
		LockLease held = open(config()).newLock("l", LockOptions.builder().ttl(Duration.ofSeconds(3)).build()).lock();
		long[] acquiredAt = new long[1];
		Thread waiter = waitingThread(other, acquiredAt);
		// A waiter of a process that died, with a TTL of 2 s, due for the hand-over (its registration
		// ends first).
		long serverMillis = Long.parseLong(this.redis.time().get(0)) * 1000;
		String waiters = "valkeyrie{" + this.namespace + "}:w:l";
		this.redis.zadd(waiters, serverMillis + 1_000, "dead-store-1.2000");
		// A member that is no waiter token of ours (it names no TTL) is passed over.
		this.redis.zadd(waiters, serverMillis + 500, "not-a-waiter");
		long released = System.nanoTime();
		held.close();
		assertThat(this.redis.get("valkeyrie{" + this.namespace + "}:l:l")).isEqualTo("dead-store-1.2000");
		await().atMost(Timing.seconds(10)).until(() -> !waiter.isAlive());
		assertThat(acquiredAt[0]).isPositive();
		// The live waiter gets it once the dead one's record expired (2 s), at the latest when it would
		// have looked again had the holder died (3 s), not after its own 20 s wait.
		assertThat(Duration.ofNanos(acquiredAt[0] - released)).isBetween(Duration.ofMillis(1900), Timing.seconds(6));
	}

	@Test
	void aWaiterThatGivesUpAfterTheLockWasHandedToItHandsItOn() throws Exception {
		RedisStore first = open(config());
		RedisStore second = open(config());
		// Held by another process for 30 s.
		String record = "valkeyrie{" + this.namespace + "}:l:l";
		this.redis.set(record, "other-store-1.30000", io.lettuce.core.SetArgs.Builder.px(30_000));
		Thread giving = new Thread(() -> first.newLock("l", LONG_TTL).lock());
		giving.start();
		String waiters = "valkeyrie{" + this.namespace + "}:w:l";
		await().atMost(Timing.seconds(5)).until(() -> this.redis.zcard(waiters) == 1 && waitsForUnlock(giving));
		String firstToken = this.redis.zrange(waiters, 0, 0).get(0);
		long[] acquiredAt = new long[1];
		Thread next = waitingThread(second, acquiredAt);
		await().atMost(Timing.seconds(5)).until(() -> this.redis.zcard(waiters) == 2);
		// A hand-over to the first waiter as lock-release.lua makes it, whose message the waiter has
		// not seen yet when it gives up.
		this.redis.set(record, firstToken, io.lettuce.core.SetArgs.Builder.px(30_000));
		this.redis.zrem(waiters, firstToken);
		long gaveUp = System.nanoTime();
		giving.interrupt();
		giving.join(Timing.seconds(5).toMillis());
		next.join(Timing.seconds(5).toMillis());
		// The interrupted waiter gave up the record handed to it, to the next waiter, at once.
		assertThat(acquiredAt[0]).isPositive();
		assertThat(Duration.ofNanos(acquiredAt[0] - gaveUp)).isLessThan(Timing.seconds(3));
		assertThat(this.redis.exists(record, waiters)).isZero();
	}

	@Test
	void aHandOverWhoseMessageIsLostIsTakenByTheWaitersNextAttempt() throws Exception {
		RedisStore store = open(config());
		// Held by another process, whose record expires in 2 s: the waiter looks again then.
		String record = "valkeyrie{" + this.namespace + "}:l:l";
		this.redis.set("valkeyrie{" + this.namespace + "}:f:l", "41");
		this.redis.set(record, "other-store-1.30000", io.lettuce.core.SetArgs.Builder.px(2_000));
		long[] token = new long[1];
		Thread waiter = new Thread(() -> store.newLock("l", LONG_TTL).tryLock(Duration.ofSeconds(20)).ifPresent((lease) -> {
			token[0] = lease.fencingToken();
			lease.close();
		}));
		waiter.start();
		String waiters = "valkeyrie{" + this.namespace + "}:w:l";
		await().atMost(Timing.seconds(5)).until(() -> this.redis.zcard(waiters) == 1 && waitsForUnlock(waiter));
		// The hand-over as lock-release.lua makes it, with its message lost.
		String waiterToken = this.redis.zrange(waiters, 0, 0).get(0);
		this.redis.set(record, waiterToken, io.lettuce.core.SetArgs.Builder.px(30_000));
		this.redis.incr("valkeyrie{" + this.namespace + "}:f:l");
		this.redis.zrem(waiters, waiterToken);
		waiter.join(Timing.seconds(10).toMillis());
		// Its next attempt found the record naming it: it holds the lock, with the hand-over's fencing token.
		assertThat(waiter.isAlive()).isFalse();
		assertThat(token[0]).isEqualTo(42);
		assertThat(this.redis.exists(record, waiters)).isZero();
	}

	@Test
	void waitersThatGiveUpLeaveNoRegistrationBehind() throws Exception {
		RedisStore other = open(config());
		LockLease held = open(config()).newLock("l", LONG_TTL).lock();
		String waitersKey = "valkeyrie{" + this.namespace + "}:w:l";
		assertThat(other.newLock("l", LONG_TTL).tryLock(Duration.ofMillis(300))).isEmpty();
		assertThat(this.redis.exists(waitersKey)).isZero();
		Thread waiter = new Thread(() -> other.newLock("l", LONG_TTL).lock());
		waiter.start();
		await().atMost(Timing.seconds(5)).until(() -> this.redis.zcard(waitersKey) == 1 && waitsForUnlock(waiter));
		waiter.interrupt();
		waiter.join(Timing.seconds(5).toMillis());
		assertThat(this.redis.exists(waitersKey)).isZero();
		held.close();
	}

	@Test
	void aWaiterGetsTheLockEvenIfTheUnlockFellIntoASubscriptionGap() throws Exception {
		RedisStore other = open(config());
		LockLease held = open(config()).newLock("l", LONG_TTL).lock();
		long[] acquiredAfter = new long[1];
		Thread waiter = waitingThread(other, acquiredAfter);
		this.redis.clientKill(KillArgs.Builder.typePubsub());
		long released = System.nanoTime();
		held.close();
		waiter.join(Timing.seconds(10).toMillis());
		assertThat(acquiredAfter[0]).isPositive();
		assertThat(Duration.ofNanos(acquiredAfter[0] - released)).isLessThan(Timing.seconds(5));
	}

	/** A thread that waits for lock "l" (up to 20 s), notes when it got it and unlocks; returned once it waits. */
	private static Thread waitingThread(RedisStore store, long[] acquiredAt) {
		Thread waiter = new Thread(() -> store.newLock("l", LONG_TTL).tryLock(Duration.ofSeconds(20)).ifPresent((lease) -> {
			acquiredAt[0] = System.nanoTime();
			lease.close();
		}));
		waiter.start();
		await().atMost(Timing.seconds(5)).until(() -> waitsForUnlock(waiter));
		return waiter;
	}

	private static boolean waitsForUnlock(Thread thread) {
		for (StackTraceElement frame : thread.getStackTrace()) {
			if (!frame.getClassName().startsWith("java.") && !frame.getClassName().startsWith("jdk.")) {
				return frame.getClassName().equals(RedisLock.class.getName()) && frame.getMethodName().equals("acquire");
			}
		}
		return false;
	}

}
