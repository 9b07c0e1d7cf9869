package io.valkeyrie.store.consul;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.InvalidTtlException;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What only Consul has: its data layout as other Consul clients see it, the
 * session_ttl_min rule, sessions destroyed behind a lock's back, lock-delay, values too large
 * for a transaction, and an agent that stops or restarts (a dev agent loses all its data).
 */
class ConsulStoreTest {

	private static final HttpClient RAW = HttpClient.newHttpClient();

	private static final java.util.regex.Pattern SESSION = java.util.regex.Pattern.compile("\"Session\":\\s*\"([^\"]+)\"");

	private final List<Store> opened = new ArrayList<>();

	private String endpoint;

	private String namespace;

	@BeforeEach
	void setUp() {
		this.endpoint = TestServers.endpoint("consul");
		this.namespace = "consul-test/" + UUID.randomUUID().toString().substring(0, 8);
	}

	@AfterEach
	void closeStores() {
		this.opened.forEach(Store::close);
	}

	private StoreConfig.Builder config() {
		return StoreConfig.builder("consul")
			.endpoints(this.endpoint)
			.namespace(this.namespace)
			.requestTimeout(Duration.ofSeconds(2))
			.option("lock-delay", "0s");
	}

	private Store open(StoreConfig.Builder config) {
		Store store = Stores.open(config.build());
		this.opened.add(store);
		return store;
	}

	private Store open() {
		return open(config());
	}

	private HttpResponse<byte[]> raw(String method, String pathAndQuery) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.endpoint + "/v1/" + pathAndQuery))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.build();
		return RAW.send(request, HttpResponse.BodyHandlers.ofByteArray());
	}

	private static String encode(String segment) {
		return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
	}

	@Test
	void serverInfoTellsTheAgentVersionAndTheLeader() throws Exception {
		Store store = open();
		String leader = new String(raw("GET", "status/leader").body(), StandardCharsets.UTF_8).replace("\"", "").trim();
		String self = new String(raw("GET", "agent/self").body(), StandardCharsets.UTF_8);
		assertThat(store.serverInfo()).containsEntry("leader", leader).containsKey("version");
		assertThat(self).containsPattern("\"Version\":\\s*\"" + java.util.regex.Pattern.quote((String) store.serverInfo().get("version")) + "\"");
	}

	@Test
	void valuesAreReadableByAnyConsulClientUnderTheNamespace() throws Exception {
		Store store = open();
		String key = "dir/a b?c#d%e*[f]:ä";
		store.put(key, "plain value");
		HttpResponse<byte[]> response = raw("GET", "kv/" + this.namespace + "/dir/" + encode("a b?c#d%e*[f]:ä") + "?raw");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("plain value");
		assertThat(store.list("dir")).extracting(KVPair::key).containsExactly(key);
		String keys = new String(raw("GET", "kv/" + this.namespace + "/?keys").body(), StandardCharsets.UTF_8);
		assertThat(keys).doesNotContain("_valkeyrie");
	}

	@Test
	void keysOfOtherConsulClientsAreReadAndTheirFlagsLeftAlone() throws Exception {
		HttpRequest put = HttpRequest.newBuilder(URI.create(this.endpoint + "/v1/kv/" + this.namespace + "/foreign?flags=42"))
			.PUT(HttpRequest.BodyPublishers.ofString("theirs"))
			.build();
		assertThat(RAW.send(put, HttpResponse.BodyHandlers.ofString()).body().trim()).isEqualTo("true");
		Store store = open();
		assertThat(store.get("foreign").valueAsString()).isEqualTo("theirs");
		assertThat(store.list("")).extracting(KVPair::key).containsExactly("foreign");
	}

	@Test
	void lockRecordsLiveUnderTheBookkeepingPrefixNotUnderTheNamespace() throws Exception {
		Store store = open();
		store.put("locked", "data");
		try (LockLease lease = store.newLock("locked", LockOptions.builder().ttl(store.minimumTtl()).build()).lock()) {
			HttpResponse<byte[]> record = raw("GET", "kv/_valkeyrie/locks/" + this.namespace + "/locked");
			assertThat(record.statusCode()).isEqualTo(200);
			assertThat(new String(record.body(), StandardCharsets.UTF_8)).contains("\"Session\"");
			assertThat(store.list("")).extracting(KVPair::key).containsExactly("locked");
			assertThat(store.get("locked").valueAsString()).isEqualTo("data");
		}
		assertThat(raw("GET", "kv/_valkeyrie/locks/" + this.namespace + "/locked").statusCode()).isEqualTo(404);
	}

	@Test
	void aRootNamespaceStoreHidesAndReservesTheBookkeepingPrefix() {
		Store scoped = open();
		scoped.put("k", "v");
		try (LockLease lease = scoped.newLock("k", LockOptions.builder().ttl(scoped.minimumTtl()).build()).lock()) {
			Store root = open(config().namespace(""));
			assertThat(root.list("")).extracting(KVPair::key)
				.contains(this.namespace + "/k")
				.noneMatch((key) -> key.equals("_valkeyrie") || key.startsWith("_valkeyrie/"));
			assertThat(root.list(this.namespace)).extracting(KVPair::key).containsExactly(this.namespace + "/k");
			assertThatThrownBy(() -> root.get("_valkeyrie/locks/" + this.namespace + "/k"))
				.isInstanceOf(InvalidKeyException.class)
				.hasMessageContaining("bookkeeping-prefix");
		}
	}

	@Test
	void minimumTtlIsTwiceTheAgentsSessionTtlMin() {
		// scripts/servers starts the agent with session_ttl_min = "1s".
		Store store = open();
		assertThat(store.minimumTtl()).isEqualTo(Duration.ofSeconds(2));
		assertThatThrownBy(() -> store.put("k", "v".getBytes(StandardCharsets.UTF_8), WriteOptions.ttl(Duration.ofMillis(1500))))
			.isInstanceOf(InvalidTtlException.class)
			.hasMessageContaining("session_ttl_min");
		Store configured = open(config().option("session-ttl-min", "5s"));
		assertThat(configured.minimumTtl()).isEqualTo(Duration.ofSeconds(10));
		assertThatThrownBy(() -> configured.newLock("l", LockOptions.builder().ttl(Duration.ofSeconds(5)).build()))
			.isInstanceOf(InvalidTtlException.class)
			.hasMessageContaining("session-ttl-min");
	}

	@Test
	void aLockWithoutTtlWorksOnAStockAgentWhoseMinimumIsAboveTheDefault() {
		// A stock agent's session_ttl_min is 10s, so the minimum TTL (20s) is above LockOptions.DEFAULT_TTL.
		Store stock = open(config().option("session-ttl-min", "10s").option("lock-delay", "0s"));
		assertThat(stock.minimumTtl()).isEqualTo(Duration.ofSeconds(20));
		StoreLock lock = stock.newLock("l");
		assertThat(lock.options().ttl()).isEqualTo(Duration.ofSeconds(20));
		try (LockLease lease = lock.lock()) {
			assertThat(lease.isValid()).isTrue();
		}
	}

	@Test
	void unknownAndInvalidOptionsAreRefused() {
		assertThatThrownBy(() -> open(config().option("lock-dealy", "0s"))).isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("lock-dealy")
			.hasMessageContaining("lock-delay")
			.hasMessageContaining("session-ttl-min");
		assertThatThrownBy(() -> open(config().option("consistency", "eventual")))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("consistency");
		assertThatThrownBy(() -> open(config().option("lock-delay", "soon"))).isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("lock-delay");
	}

	@Test
	void tokenIsSentButNeverShown() {
		Store store = open(config().token("s3cr3t-token"));
		// The dev agent allows anonymous access, so a token it does not know is only ignored.
		store.put("k", "v");
		assertThat(store.toString()).doesNotContain("s3cr3t");
	}

	@Test
	void valuesTooLargeForATransactionStillReplaceATtlKeyWithAPermanentOne() {
		Store writer = open();
		Store reader = open();
		byte[] large = new byte[writer.maxValueSize()];
		Arrays.fill(large, (byte) 'x');
		Duration ttl = writer.minimumTtl();
		writer.put("big", large, WriteOptions.keepAlive(ttl));
		large[0] = 'y';
		writer.put("big", large);
		writer.close();
		await().during(ttl.plusSeconds(1)).atMost(ttl.plusSeconds(3)).until(() -> reader.exists("big"));
		assertThat(reader.get("big").value()).isEqualTo(large);
		KVPair current = reader.get("big");
		large[1] = 'z';
		KVPair swapped = reader.atomicPut("big", large, current, WriteOptions.NONE);
		assertThat(reader.get("big")).isEqualTo(swapped);
	}

	@Test
	void aDestroyedSessionTellsTheHolderItLostTheLock() throws Exception {
		Store store = open();
		StoreLock lock = store.newLock("l", LockOptions.builder().ttl(Duration.ofSeconds(4)).build());
		LockLease lease = lock.lock();
		String session = lockSession("l");
		assertThat(raw("PUT", "session/destroy/" + session).statusCode()).isEqualTo(200);
		LockLoss loss = lease.lost().toCompletableFuture().get(Timing.seconds(4).toMillis(), TimeUnit.MILLISECONDS);
		assertThat(loss.reason()).isIn(LockLoss.Reason.SESSION_EXPIRED, LockLoss.Reason.RECORD_REMOVED);
		assertThat(lock.isHeld()).isFalse();
		assertThat(open().newLock("l", LockOptions.builder().ttl(Duration.ofSeconds(4)).build()).tryLock()).isPresent();
	}

	@Test
	void lockDelayKeepsOthersOutAfterAHoldersSessionIsInvalidatedButNotAfterUnlock() throws Exception {
		Duration delay = Duration.ofSeconds(3);
		Store holder = open(config().option("lock-delay", delay.toSeconds() + "s"));
		Store other = open();
		LockOptions options = LockOptions.builder().ttl(holder.minimumTtl()).build();
		LockLease lease = holder.newLock("d", options).lock();
		lease.close();
		assertThat(other.newLock("d", options).tryLock()).hasValueSatisfying(LockLease::close);

		holder.newLock("d", options).lock();
		raw("PUT", "session/destroy/" + lockSession("d"));
		long destroyed = System.nanoTime();
		assertThat(other.newLock("d", options).tryLock(Duration.ofSeconds(1))).isEmpty();
		LockLease taken = other.newLock("d", options).tryLock(delay.plusSeconds(3)).orElseThrow();
		assertThat(Duration.ofNanos(System.nanoTime() - destroyed)).isGreaterThanOrEqualTo(delay.minusMillis(200));
		taken.close();
	}

	private String lockSession(String key) throws Exception {
		String record = new String(raw("GET", "kv/_valkeyrie/locks/" + this.namespace + "/" + key).body(), StandardCharsets.UTF_8);
		int at = record.indexOf("\"Session\": \"");
		assertThat(at).as("lock record %s", record).isPositive();
		int start = at + "\"Session\": \"".length();
		return record.substring(start, record.indexOf('"', start));
	}

	@Test
	void callsFailAsUnavailableWithinTheTimeoutWhileTheAgentIsDownAndTheStoreRecoversAfter() {
		Store store = open();
		store.put("before", "1");
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watchTree("", events::add);
		await().atMost(Timing.seconds(5)).until(() -> !events.isEmpty());
		TestServers.stop("consul");
		try {
			long start = System.nanoTime();
			assertThatThrownBy(() -> store.get("before")).isInstanceOf(StoreUnavailableException.class)
				.satisfies((ex) -> assertThat(((StoreUnavailableException) ex).backend()).isEqualTo("consul"));
			assertThatThrownBy(() -> store.put("during", "2")).isInstanceOf(StoreUnavailableException.class);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4).plus(Timing.seconds(1)));
		}
		finally {
			TestServers.start("consul");
		}
		await().atMost(Timing.seconds(15)).ignoreExceptions().until(() -> {
			store.put("after", "3");
			return true;
		});
		// The dev agent kept its data across stop and start? It does not: a resync shows the new state.
		await().atMost(Timing.seconds(15))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Snapshot s && s.isResync())
					&& lastState(events).containsKey("after"));
	}

	@Test
	void anAgentRestartResyncsEveryWatchAndTheyConvergeOnTheNewState() {
		Store store = open();
		Store writer = open();
		writer.put("a", "1");
		writer.put("b", "2");
		// A keep-alive session that the restarted agent will not know.
		writer.put("kept", "k".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(Duration.ofMinutes(10)));
		writer.delete("kept");
		List<WatchEvent> tree = new CopyOnWriteArrayList<>();
		List<WatchEvent> key = new CopyOnWriteArrayList<>();
		store.watchTree("", tree::add);
		store.watch("a", key::add);
		await().atMost(Timing.seconds(5)).until(() -> lastState(tree).size() == 2 && !key.isEmpty());

		TestServers.restart("consul");

		await().atMost(Timing.seconds(20)).ignoreExceptions().until(() -> {
			writer.put("c", "3");
			return true;
		});
		await().atMost(Timing.seconds(20))
			.until(() -> tree.stream().anyMatch((e) -> e instanceof WatchEvent.Snapshot s && s.isResync())
					&& lastState(tree).keySet().equals(Set.of("c")));
		await().atMost(Timing.seconds(20))
			.until(() -> key.stream().anyMatch((e) -> e instanceof WatchEvent.Snapshot s && s.isResync())
					&& lastState(key).isEmpty());
		writer.put("a", "again");
		await().atMost(Timing.seconds(10)).until(() -> lastState(key).containsKey("a")
				&& lastState(key).get("a").valueAsString().equals("again"));
		// Locks and TTL keys work again with new sessions.
		try (LockLease lease = writer.newLock("l", LockOptions.builder().ttl(writer.minimumTtl()).build()).lock()) {
			assertThat(lease.isValid()).isTrue();
		}
		writer.put("t", "ttl".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(Duration.ofMinutes(10)));
		assertThat(store.exists("t")).isTrue();
	}

	private static NavigableMap<String, KVPair> lastState(List<WatchEvent> events) {
		NavigableMap<String, KVPair> state = new TreeMap<>();
		for (WatchEvent event : events) {
			if (event instanceof WatchEvent.Snapshot snapshot) {
				state.clear();
				state.putAll(snapshot.current());
			}
			else if (event instanceof WatchEvent.Put put) {
				state.put(put.pair().key(), put.pair());
			}
			else if (event instanceof WatchEvent.Delete delete) {
				state.remove(delete.key());
			}
		}
		return state;
	}

	@Test
	void tenThousandWatchesNeedOneBlockingQuery() throws Exception {
		ConsulStore store = (ConsulStore) open();
		for (int i = 0; i < 10_000; i++) {
			store.watch("w/" + i, (event) -> {
			});
		}
		CompletableFuture<WatchEvent> seen = new CompletableFuture<>();
		store.watch("w/9999", (event) -> {
			if (event instanceof WatchEvent.Put) {
				seen.complete(event);
			}
		});
		open().put("w/9999", "x");
		assertThat(seen.get(10, TimeUnit.SECONDS)).isInstanceOf(WatchEvent.Put.class);
		// The feed sends its next query right after each answer: one in flight, never more.
		await().atMost(Timing.seconds(5)).until(() -> store.blockingQueries() == 1);
		await().during(Duration.ofMillis(300)).atMost(Timing.seconds(2)).until(() -> store.blockingQueries() <= 1);
	}


	@Test
	void writesNobodyWatchesAreNotLoggedAndAFeedThatRegistersLaterStillSeesEveryPut() throws Exception {
		String bookkeeping = "_vk-" + UUID.randomUUID().toString().substring(0, 8);
		Store writer = open(config().option("bookkeeping-prefix", bookkeeping));
		writer.put("k", "v0");
		writer.put("other", "x");
		// Nobody watches: the writes carry a check of the watch registry instead of a log record.
		assertThat(raw("GET", "kv/" + bookkeeping + "/log/?keys").statusCode()).isEqualTo(404);
		Store watcher = open(config().option("bookkeeping-prefix", bookkeeping));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watch("k", events::add);
		await().atMost(Timing.seconds(5)).until(() -> !events.isEmpty());
		// The writer still plans with the registry it read before the watcher registered: its check
		// fails, it reads the registry again and logs, so no put coalesces with the next.
		List<String> expected = new ArrayList<>();
		for (int i = 1; i <= 30; i++) {
			writer.put("k", "v" + i);
			expected.add("v" + i);
		}
		await().atMost(Timing.seconds(5))
			.until(() -> events.stream().filter(WatchEvent.Put.class::isInstance).count() >= expected.size());
		assertThat(events.stream().filter(WatchEvent.Put.class::isInstance).map((e) -> ((WatchEvent.Put) e).pair().valueAsString()))
			.containsExactlyElementsOf(expected);
		assertThat(raw("GET", "kv/" + bookkeeping + "/log/?keys").statusCode()).isEqualTo(200);
	}

	@Test
	void aFeedWakeUpReadsOnlyTheRecentSlotsOfTheChangeLogNotEveryRecordKept() throws Exception {
		String bookkeeping = "_vk-" + UUID.randomUUID().toString().substring(0, 8);
		ConsulStore watcher = (ConsulStore) open(config().option("bookkeeping-prefix", bookkeeping));
		Store writer = open(config().option("bookkeeping-prefix", bookkeeping));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watch("w/k", events::add);
		await().atMost(Timing.seconds(5)).until(() -> !events.isEmpty());
		// A steady stream of logged writes to other keys of the namespace: the log grows to
		// seconds of records, while each wake-up of the feed should read only the last slots.
		String value = "x".repeat(100);
		List<ConsulFeed.LogRead> late = new ArrayList<>();
		long start = System.nanoTime();
		int writes = 0;
		while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(6) && writes < 20_000) {
			writer.put("load/" + (writes++ % 20), value);
			ConsulFeed.LogRead read = watcher.feed().lastLogRead();
			if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(4) && read != null && (late.isEmpty() || late.get(late.size() - 1) != read)) {
				late.add(read);
			}
		}
		String keys = new String(raw("GET", "kv/" + bookkeeping + "/log/?keys").body(), StandardCharsets.UTF_8);
		int kept = keys.split(java.util.regex.Pattern.quote(bookkeeping + "/log/"), -1).length - 1;
		assertThat(kept).as("records kept after %d writes", writes).isGreaterThan(50);
		assertThat(late).as("wake-ups in the last 2 s").hasSizeGreaterThan(5);
		List<Integer> records = late.stream().map(ConsulFeed.LogRead::records).sorted().toList();
		// 4 to 6 s of records are kept; the current and the previous 500 ms slot hold about 1 s.
		assertThat(records.get(records.size() / 2)).as("median records read per wake-up, %d kept, reads %s", kept, records)
			.isLessThan(kept / 3);
		// Each watched write still arrives.
		writer.put("w/k", "last");
		await().atMost(Timing.seconds(5))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Put put && put.pair().valueAsString().equals("last")));
	}

	@Test
	void writesClearSessionsOnlyWhereTtlKeysMayHoldThemAndAStaleWriterStillDoes() throws Exception {
		String bookkeeping = "_vk-" + UUID.randomUUID().toString().substring(0, 8);
		// Watched, so every write carries its change-log record rather than the registry check
		// that unlogged writes carry anyway: only the check a write without delete adds can stop it.
		Store watcher = open(config().option("bookkeeping-prefix", bookkeeping));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watch("k", events::add);
		await().atMost(Timing.seconds(5)).until(() -> !events.isEmpty());
		Store writer = open(config().option("bookkeeping-prefix", bookkeeping));
		writer.put("k", "v0");
		long created = entryField("k", "CreateIndex");
		KVPair first = writer.get("k");
		// No TTL key was ever written here: the key is set in place, no delete first (same CreateIndex),
		// and an unchanged value is still a new version.
		writer.put("k", "v0");
		assertThat(writer.get("k").lastIndex()).isGreaterThan(first.lastIndex());
		assertThat(entryField("k", "CreateIndex")).isEqualTo(created);
		Store ttlWriter = open(config().option("bookkeeping-prefix", bookkeeping));
		ttlWriter.put("k", "v1".getBytes(StandardCharsets.UTF_8), WriteOptions.ttl(Duration.ofSeconds(30)));
		assertThat(keySession("k")).isNotNull();
		assertThat(new String(raw("GET", "kv/" + bookkeeping + "/watchers/?keys").body(), StandardCharsets.UTF_8)).contains("/ttl-");
		// The writer still plans with the registry it read before the TTL key: its check fails, it reads
		// the registry again and deletes first, so the TTL session lets go of the key.
		writer.put("k", "v2");
		assertThat(keySession("k")).isNull();
		assertThat(entryField("k", "CreateIndex")).isGreaterThan(created);
		assertThat(ttlWriter.get("k").valueAsString()).isEqualTo("v2");
		assertThat(ttlWriter.get("k").lastIndex()).isEqualTo(entryField("k", "ModifyIndex"));
		await().atMost(Timing.seconds(5)).until(() -> events.stream()
			.filter(WatchEvent.Put.class::isInstance)
			.map((e) -> ((WatchEvent.Put) e).pair().valueAsString())
			.toList()
			.equals(List.of("v0", "v0", "v1", "v2")));
		assertThat(raw("GET", "kv/" + bookkeeping + "/log/?keys").statusCode()).isEqualTo(200);
	}

	private String entry(String key) throws Exception {
		HttpResponse<byte[]> response = raw("GET", "kv/" + this.namespace + "/" + key);
		assertThat(response.statusCode()).isEqualTo(200);
		return new String(response.body(), StandardCharsets.UTF_8);
	}

	private long entryField(String key, String field) throws Exception {
		java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"" + field + "\":\\s*(\\d+)").matcher(entry(key));
		assertThat(matcher.find()).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private String keySession(String key) throws Exception {
		return firstSession(entry(key));
	}

	/** The first session named in a KV answer, or {@code null}. */
	private static String firstSession(String json) {
		java.util.regex.Matcher matcher = SESSION.matcher(json);
		return matcher.find() ? matcher.group(1) : null;
	}

	@Test
	void aWatchRegistrationLostBehindTheStoresBackResyncsItsWatches() throws Exception {
		String bookkeeping = "_vk-" + UUID.randomUUID().toString().substring(0, 8);
		Store watcher = open(config().option("bookkeeping-prefix", bookkeeping));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watchTree("", events::add);
		await().atMost(Timing.seconds(5)).until(() -> !events.isEmpty());
		String registrations = new String(raw("GET", "kv/" + bookkeeping + "/watchers/?recurse").body(), StandardCharsets.UTF_8);
		String session = firstSession(registrations);
		assertThat(session).isNotNull();
		assertThat(raw("PUT", "session/destroy/" + session).statusCode()).isEqualTo(200);
		Store writer = open(config().option("bookkeeping-prefix", bookkeeping));
		writer.put("after", "x");
		await().atMost(Timing.seconds(15))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Snapshot s && s.isResync())
					&& lastState(events).containsKey("after"));
		// Registered again: the writes are logged.
		await().atMost(Timing.seconds(5)).until(() -> raw("GET", "kv/" + bookkeeping + "/watchers/?keys").statusCode() == 200);
		writer.put("again", "y");
		await().atMost(Timing.seconds(5)).until(() -> lastState(events).containsKey("again"));
		assertThat(raw("GET", "kv/" + bookkeeping + "/log/?keys").statusCode()).isEqualTo(200);
	}

}
