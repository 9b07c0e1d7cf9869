package io.valkeyrie.store.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.valkeyrie.store.InvalidTtlException;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What only etcd shows: compaction, restarts, outages, the data layout other etcd clients
 * see, and the etcd-specific settings.
 */
@ServerUse(shared = {}, exclusive = "etcd")
class EtcdStoreTest {

	private final List<AutoCloseable> opened = new ArrayList<>();

	private String namespace;

	private Client raw;

	@BeforeEach
	void setUp() {
		this.namespace = "etcd-test/" + UUID.randomUUID().toString().substring(0, 8);
		this.raw = Client.builder().endpoints(TestServers.endpoint("etcd")).build();
		this.opened.add(this.raw);
	}

	@AfterEach
	void tearDown() throws Exception {
		// Newest first: stores before the proxies and the raw client they may use.
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
	}

	private StoreConfig.Builder config() {
		return StoreConfig.builder("etcd").endpoints(TestServers.endpoint("etcd")).namespace(this.namespace);
	}

	private Store open() {
		return open(config());
	}

	private Store open(StoreConfig.Builder config) {
		Store store = Stores.open(config.build());
		this.opened.add(store);
		return store;
	}

	private static ByteSequence bytes(String value) {
		return ByteSequence.from(value, StandardCharsets.UTF_8);
	}

	private String rawGet(String etcdKey) throws Exception {
		var kvs = this.raw.getKVClient().get(bytes(etcdKey)).get(5, TimeUnit.SECONDS).getKvs();
		return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
	}

	@Test
	void keysAreThePlainEtcdKeysUnderTheNamespace() throws Exception {
		Store store = open();
		store.put("config/feature", "on");
		assertThat(rawGet(this.namespace + "/config/feature")).isEqualTo("on");
		this.raw.getKVClient().put(bytes(this.namespace + "/config/other"), bytes("from jetcd")).get(5, TimeUnit.SECONDS);
		KVPair pair = store.get("config/other");
		assertThat(pair.valueAsString()).isEqualTo("from jetcd");
		long modRevision = this.raw.getKVClient().get(bytes(this.namespace + "/config/other")).get(5, TimeUnit.SECONDS)
			.getKvs().get(0).getModRevision();
		assertThat(pair.lastIndex()).isEqualTo(modRevision);
		assertThat(store.list("config")).extracting(KVPair::key).containsExactly("config/feature", "config/other");
	}

	@Test
	void serverInfoTellsTheEtcdVersionAndLeader() throws Exception {
		Store store = open();
		var status = this.raw.getMaintenanceClient().statusMember(TestServers.endpoint("etcd")).get(10, java.util.concurrent.TimeUnit.SECONDS);
		assertThat(store.serverInfo()).containsEntry("version", status.getVersion())
			.containsEntry("leader", Long.toHexString(status.getLeader()));
	}

	@Test
	void aStoreOnAGivenClientLeavesTheClientOpen() throws Exception {
		Store store = EtcdStore.open(config().build(), this.raw);
		store.put("k", "v");
		store.close();
		assertThat(rawGet(this.namespace + "/k")).isEqualTo("v");
	}

	@Test
	void keysThatAreNotInNormalFormAreInvisible() throws Exception {
		Store store = open();
		this.raw.getKVClient().put(bytes(this.namespace + "/dir//bad"), bytes("x")).get(5, TimeUnit.SECONDS);
		this.raw.getKVClient().put(bytes(this.namespace + "/dir/trailing/"), bytes("x")).get(5, TimeUnit.SECONDS);
		store.put("dir/good", "y");
		assertThat(store.list("dir")).extracting(KVPair::key).containsExactly("dir/good");
	}

	@Test
	void basicOperationsFollowTheContract() {
		Store store = open();
		assertThatExceptionOfType(KeyNotFoundException.class).isThrownBy(() -> store.get("a"));
		assertThatExceptionOfType(KeyNotFoundException.class).isThrownBy(() -> store.list(""));
		store.put("a", "1");
		store.put("a/b", "2");
		store.put("a/b/c", "3");
		store.put("ab", "4");
		assertThat(store.list("a")).extracting(KVPair::key).containsExactly("a/b", "a/b/c");
		assertThat(store.list("a/b/c")).isEmpty();
		assertThat(store.list("/")).extracting(KVPair::key).containsExactly("a", "a/b", "a/b/c", "ab");
		KVPair a = store.get("a");
		KVPair updated = store.atomicPut("a", "5".getBytes(StandardCharsets.UTF_8), a, WriteOptions.NONE);
		assertThat(updated.lastIndex()).isGreaterThan(a.lastIndex());
		assertThat(store.get("a")).isEqualTo(updated);
		assertThatExceptionOfType(KeyModifiedException.class)
			.isThrownBy(() -> store.atomicPut("a", new byte[0], a, WriteOptions.NONE));
		assertThatExceptionOfType(KeyExistsException.class)
			.isThrownBy(() -> store.atomicPut("a", new byte[0], null, WriteOptions.NONE));
		assertThatExceptionOfType(KeyModifiedException.class).isThrownBy(() -> store.atomicDelete("a", a));
		store.atomicDelete("a", updated);
		assertThatExceptionOfType(KeyNotFoundException.class)
			.isThrownBy(() -> store.atomicPut("a", new byte[0], updated, WriteOptions.NONE));
		assertThatExceptionOfType(KeyNotFoundException.class).isThrownBy(() -> store.atomicDelete("a", updated));
		store.deleteTree("a");
		assertThat(store.list("")).extracting(KVPair::key).containsExactly("ab");
		assertThatExceptionOfType(KeyNotFoundException.class).isThrownBy(() -> store.deleteTree("a"));
		store.deleteTree("");
		assertThatExceptionOfType(KeyNotFoundException.class).isThrownBy(() -> store.list(""));
	}

	@Test
	void ttlKeysExpireAndKeepAliveKeysLiveUntilClose() {
		Store store = open();
		Store other = open();
		assertThatExceptionOfType(InvalidTtlException.class)
			.isThrownBy(() -> store.put("short", new byte[0], WriteOptions.ttl(Duration.ofMillis(1500))))
			.withMessageContaining("2 s");
		store.put("ttl", "x".getBytes(StandardCharsets.UTF_8), WriteOptions.ttl(Duration.ofSeconds(2)));
		store.put("kept", "x".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(Duration.ofSeconds(2)));
		await().atMost(Timing.seconds(4)).until(() -> !other.exists("ttl"));
		assertThat(other.exists("kept")).isTrue();
		store.close();
		await().atMost(Timing.seconds(1)).until(() -> !other.exists("kept"));
	}

	@Test
	void locksHideTheirRecordsAndHandOverPromptly() throws Exception {
		Store store = open();
		Store other = open();
		StoreLock first = store.newLock("job", LockOptions.builder().value("owner-1").ttl(Duration.ofSeconds(5)).build());
		StoreLock second = other.newLock("job", LockOptions.builder().value("owner-2").ttl(Duration.ofSeconds(5)).build());
		LockLease lease = first.lock();
		assertThat(second.tryLock()).isEmpty();
		assertThat(store.list("")).extracting(KVPair::key).containsExactly("job");
		List<LockLease> leases = new CopyOnWriteArrayList<>();
		Thread waiter = new Thread(() -> leases.add(second.lock()));
		waiter.start();
		// The waiter must really be parked on the backend's release notification before the unlock.
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> waiter.getState() == Thread.State.WAITING || waiter.getState() == Thread.State.TIMED_WAITING);
		long released = System.nanoTime();
		first.unlock();
		waiter.join(Timing.seconds(5).toMillis());
		assertThat(leases).hasSize(1);
		assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Timing.millis(900));
		assertThat(leases.get(0).fencingToken()).isGreaterThan(lease.fencingToken());
		assertThat(store.get("job").valueAsString()).isEqualTo("owner-2");
		other.close();
		assertThat(leases.get(0).lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason())
			.isEqualTo(io.valkeyrie.store.LockLoss.Reason.STORE_CLOSED);
		assertThat(first.tryLock()).isPresent();
	}

	@Test
	void lockLossIsReportedWhenTheRecordIsRemoved() throws Exception {
		Store store = open();
		StoreLock lock = store.newLock("job", LockOptions.builder().ttl(Duration.ofSeconds(5)).build());
		LockLease lease = lock.lock();
		this.raw.getKVClient()
			.delete(bytes("\0valkeyrie/locks/" + this.namespace + "/job\0"),
					io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build())
			.get(5, TimeUnit.SECONDS);
		assertThat(lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason())
			.isEqualTo(io.valkeyrie.store.LockLoss.Reason.RECORD_REMOVED);
		assertThat(lock.isHeld()).isFalse();
	}

	@Test
	void watchesSeeChangesAndResumeFromAnIndex() {
		Store store = open();
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		Watch watch = store.watchTree("dir", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		store.put("dir/a", "1");
		store.put("dir/a", "1");
		store.delete("dir/a");
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 4);
		assertThat(events.get(1)).isInstanceOf(WatchEvent.Put.class);
		assertThat(events.get(2)).isInstanceOf(WatchEvent.Put.class);
		assertThat(events.get(3)).isInstanceOf(WatchEvent.Delete.class);
		long seen = watch.lastIndex();
		watch.close();
		store.put("dir/b", "2");
		store.put("dir/c", "3");
		List<WatchEvent> resumed = new CopyOnWriteArrayList<>();
		store.watchTree("dir", WatchOptions.DEFAULTS.resumeFrom(seen), resumed::add);
		await().atMost(Timing.seconds(5)).until(() -> resumed.size() == 2);
		assertThat(resumed).allMatch((event) -> event instanceof WatchEvent.Put);
		assertThat(resumed).extracting((event) -> ((WatchEvent.Put) event).key()).containsExactly("dir/b", "dir/c");
	}

	@Test
	void compactionWhileCutOffResyncsEveryWatchWithTheCurrentState() throws Exception {
		TcpProxy proxy = proxy();
		List<WatchEvent> events = watchedThrough(proxy);
		proxy.cut();
		String prefix = this.namespace + "/";
		this.raw.getKVClient().put(bytes(prefix + "b"), bytes("2")).get(5, TimeUnit.SECONDS);
		long revision = this.raw.getKVClient().put(bytes(prefix + "a"), bytes("3")).get(5, TimeUnit.SECONDS)
			.getHeader().getRevision();
		this.raw.getKVClient().compact(revision).get(5, TimeUnit.SECONDS);
		proxy.restore();
		// jetcd resumes the feed from a revision etcd no longer has: the watch must resync.
		await().atMost(Timing.seconds(20))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Snapshot s && s.isResync()));
		WatchEvent.Snapshot resync = (WatchEvent.Snapshot) events.stream()
			.filter((e) -> e instanceof WatchEvent.Snapshot s && s.isResync())
			.findFirst()
			.get();
		assertThat(resync.reason()).contains("compacted");
		assertThat(resync.current()).containsOnlyKeys("a", "b");
		assertThat(resync.current().get("a").valueAsString()).isEqualTo("3");
		this.raw.getKVClient().put(bytes(prefix + "c"), bytes("4")).get(5, TimeUnit.SECONDS);
		await().atMost(Timing.seconds(5))
			.until(() -> events.get(events.size() - 1) instanceof WatchEvent.Put p && p.key().equals("c"));
	}

	@Test
	void aCutConnectionIsResumedWithoutLosingChanges() throws Exception {
		TcpProxy proxy = proxy();
		List<WatchEvent> events = watchedThrough(proxy);
		proxy.cut();
		String prefix = this.namespace + "/";
		this.raw.getKVClient().put(bytes(prefix + "b"), bytes("2")).get(5, TimeUnit.SECONDS);
		this.raw.getKVClient().delete(bytes(prefix + "a")).get(5, TimeUnit.SECONDS);
		proxy.restore();
		// Every change made while cut off arrives, in order, with no resync.
		await().atMost(Timing.seconds(20)).until(() -> events.size() == 4);
		assertThat(events.get(2)).isInstanceOfSatisfying(WatchEvent.Put.class, (p) -> assertThat(p.key()).isEqualTo("b"));
		assertThat(events.get(3)).isInstanceOfSatisfying(WatchEvent.Delete.class, (d) -> assertThat(d.key()).isEqualTo("a"));
	}

	@Test
	void resumingFromACompactedIndexStartsWithAResync() throws Exception {
		Store store = open();
		store.put("a", "1");
		long old = store.get("a").lastIndex();
		store.put("a", "2");
		this.raw.getKVClient().compact(store.get("a").lastIndex()).get(5, TimeUnit.SECONDS);
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watch("a", WatchOptions.DEFAULTS.resumeFrom(old), events::add);
		await().atMost(Timing.seconds(5)).until(() -> !events.isEmpty());
		assertThat(events.get(0)).isInstanceOfSatisfying(WatchEvent.Snapshot.class, (s) -> {
			assertThat(s.isResync()).isTrue();
			assertThat(s.pairs()).extracting(KVPair::valueAsString).containsExactly("2");
		});
	}

	@Test
	void aRestartedServerIsResumedWithoutLosingChangesOrKeepAliveKeys() {
		Store store = open();
		Store writer = open();
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watchTree("", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		store.put("kept", "x".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(Duration.ofSeconds(2)));
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 2);
		TestServers.restart("etcd");
		await().atMost(Timing.seconds(10)).ignoreExceptions().until(() -> {
			writer.put("after", "1");
			return true;
		});
		await().atMost(Timing.seconds(10))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Put p && p.key().equals("after")));
		// Resumed from the last revision: nothing was missed, so no resync.
		assertThat(events.subList(1, events.size())).noneMatch((e) -> e instanceof WatchEvent.Snapshot);
		await().during(Timing.seconds(4)).atMost(Timing.seconds(5)).until(() -> writer.exists("kept"));
	}

	@Test
	void callsFailWithinTheTimeoutWhileEtcdIsDownAndTheStoreRecovers() throws Exception {
		Store store = open(config().requestTimeout(Duration.ofSeconds(2)));
		store.put("k", "before");
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watch("k", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		store.put("kept", "x".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(Duration.ofSeconds(2)));
		LockLease held = store.newLock("held", LockOptions.builder().ttl(Duration.ofSeconds(2)).build()).lock();
		TestServers.stop("etcd");
		try {
			assertUnavailableWithinTimeout(() -> store.get("k"));
			assertUnavailableWithinTimeout(() -> store.put("k", "during"));
			assertUnavailableWithinTimeout(() -> store.list(""));
			assertUnavailableWithinTimeout(() -> store.atomicPut("k", new byte[0], null, WriteOptions.NONE));
			assertUnavailableWithinTimeout(() -> store.newLock("lock").tryLock());
			// The holder cannot renew: its own deadline tells it within the TTL (or jetcd's deadline check does).
			assertThat(held.lost().toCompletableFuture().get(Timing.seconds(5).toMillis(), TimeUnit.MILLISECONDS).reason())
				.isIn(io.valkeyrie.store.LockLoss.Reason.EXPIRED_LOCALLY, io.valkeyrie.store.LockLoss.Reason.RENEWAL_FAILED);
			// Longer than the keep-alive TTL by now: jetcd gave the lease up and the store must recover it.
		}
		finally {
			TestServers.start("etcd");
		}
		await().atMost(Timing.seconds(10)).ignoreExceptions().until(() -> store.get("k").valueAsString().equals("before"));
		store.put("k", "after");
		await().atMost(Timing.seconds(5))
			.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Put p && p.pair().valueAsString().equals("after")));
		// The outage outlasted the lease: the store writes its keep-alive key again and keeps it alive.
		await().atMost(Timing.seconds(10)).until(() -> store.exists("kept"));
		await().during(Timing.seconds(4)).atMost(Timing.seconds(5)).until(() -> store.exists("kept"));
	}

	/** A proxy to the test etcd, closed after the test. */
	private TcpProxy proxy() throws java.io.IOException {
		java.net.URI server = java.net.URI.create(TestServers.endpoint("etcd"));
		TcpProxy proxy = new TcpProxy(new java.net.InetSocketAddress(server.getHost(), server.getPort()));
		this.opened.add(proxy);
		return proxy;
	}

	/** The events of a root watch of a store behind {@code proxy}, once it saw the store write {@code a}. */
	private List<WatchEvent> watchedThrough(TcpProxy proxy) {
		Store store = open(config().endpoints(proxy.endpoint()));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watchTree("", events::add);
		store.put("a", "1");
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 2);
		return events;
	}

	private static void assertUnavailableWithinTimeout(Runnable call) {
		long start = System.nanoTime();
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(call::run)
			.satisfies((ex) -> assertThat(ex.backend()).isEqualTo("etcd"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2).plus(Timing.millis(500)));
	}

	@Test
	void openingWithoutAReachableServerFailsAsUnavailable() throws Exception {
		int port;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		long start = System.nanoTime();
		assertThatExceptionOfType(StoreUnavailableException.class)
			.isThrownBy(() -> open(config().endpoints("http://127.0.0.1:" + port).requestTimeout(Duration.ofSeconds(2))));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2).plus(Timing.seconds(1)));
	}

	@Test
	void unknownOptionsAndOversizedValuesAreRefused() {
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> open(config().option("nope", "1")))
			.withMessageContaining("Unknown etcd option 'nope'; the etcd options are authority, max-request-bytes,");
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> open(config().maxValueSize(2 * 1024 * 1024)))
			.withMessageContaining("--max-request-bytes");
	}

	@Test
	void valuesUpToTheRequestLimitAreStored() {
		int largest = EtcdSettings.DEFAULT_MAX_REQUEST_BYTES - EtcdSettings.REQUEST_OVERHEAD;
		Store store = open(config().maxValueSize(largest));
		byte[] value = new byte[largest];
		new java.util.Random(7).nextBytes(value);
		store.put("big/one", value);
		store.put("big/two", value);
		assertThat(store.get("big/one").value()).isEqualTo(value);
		assertThat(store.list("big")).hasSize(2).allSatisfy((pair) -> assertThat(pair.value()).isEqualTo(value));
	}

	@Test
	void aServerMinimumAboveTheRequestedTtlIsRefusedNotApplied() {
		// etcd would silently lengthen a 1 s lease to its 2 s minimum: the store refuses it.
		EtcdStore store = (EtcdStore) open();
		assertThatExceptionOfType(InvalidTtlException.class).isThrownBy(() -> new EtcdLeases(
				store.client(), new EtcdCalls(Duration.ofSeconds(5)), store.scheduler()).grant(1))
			.withMessageContaining("minimum lease TTL of 2 s");
	}

	@Test
	void aUserAllowedOnlyTheNamespaceAndItsLockPrefixCanUseEverything() throws Exception {
		String rootPassword = "root-" + UUID.randomUUID();
		String password = "secret-" + UUID.randomUUID();
		String role = "valkeyrie-" + UUID.randomUUID().toString().substring(0, 8);
		String user = role + "-user";
		var auth = this.raw.getAuthClient();
		auth.userAdd(bytes("root"), bytes(rootPassword)).get(5, TimeUnit.SECONDS);
		auth.userGrantRole(bytes("root"), bytes("root")).get(5, TimeUnit.SECONDS);
		auth.roleAdd(bytes(role)).get(5, TimeUnit.SECONDS);
		for (String prefix : List.of(this.namespace + "/", "\0valkeyrie/locks/" + this.namespace + "/")) {
			auth.roleGrantPermission(bytes(role), bytes(prefix), EtcdLayout.prefixEnd(bytes(prefix)),
					io.etcd.jetcd.auth.Permission.Type.READWRITE).get(5, TimeUnit.SECONDS);
		}
		auth.userAdd(bytes(user), bytes(password)).get(5, TimeUnit.SECONDS);
		auth.userGrantRole(bytes(user), bytes(role)).get(5, TimeUnit.SECONDS);
		auth.authEnable().get(5, TimeUnit.SECONDS);
		try {
			Store store = open(config().credentials(user, password));
			List<WatchEvent> events = new CopyOnWriteArrayList<>();
			store.watchTree("", events::add);
			store.put("a", "1");
			store.put("kept", "2".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(Duration.ofSeconds(2)));
			assertThat(store.list("")).extracting(KVPair::key).containsExactly("a", "kept");
			LockLease lease = store.newLock("a").lock();
			lease.close();
			await().atMost(Timing.seconds(5))
				.until(() -> events.stream().anyMatch((e) -> e instanceof WatchEvent.Put p && p.key().equals("kept")));
			assertThat(store.toString()).doesNotContain(password);

			assertThatExceptionOfType(StoreUnavailableException.class)
				.isThrownBy(() -> open(config().requestTimeout(Duration.ofSeconds(2))));
			assertThatExceptionOfType(StoreUnavailableException.class)
				.isThrownBy(() -> open(config().credentials(user, "wrong-" + password).requestTimeout(Duration.ofSeconds(2))))
				.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain(password));
		}
		finally {
			try (Client root = Client.builder().endpoints(TestServers.endpoint("etcd")).user(bytes("root"))
				.password(bytes(rootPassword)).build()) {
				root.getAuthClient().authDisable().get(10, TimeUnit.SECONDS);
			}
			auth.userDelete(bytes(user)).get(5, TimeUnit.SECONDS);
			auth.roleDelete(bytes(role)).get(5, TimeUnit.SECONDS);
			auth.userDelete(bytes("root")).get(5, TimeUnit.SECONDS);
		}
	}

	@Test
	void aLostKeepAliveLeaseIsReplacedAndItsKeysWrittenAgainUnlessChangedByOthers() throws Exception {
		Store store = open();
		WriteOptions keepAlive = WriteOptions.keepAlive(Duration.ofSeconds(3));
		store.put("mine", "1".getBytes(StandardCharsets.UTF_8), keepAlive);
		store.put("theirs", "1".getBytes(StandardCharsets.UTF_8), keepAlive);
		this.raw.getKVClient().put(bytes(this.namespace + "/theirs"), bytes("changed")).get(5, TimeUnit.SECONDS);
		long lease = this.raw.getKVClient().get(bytes(this.namespace + "/mine")).get(5, TimeUnit.SECONDS).getKvs().get(0)
			.getLease();
		// As if the lease had expired while the store could not reach etcd: its keys are gone.
		this.raw.getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS);
		assertThat(rawGet(this.namespace + "/mine")).isNull();
		await().atMost(Timing.seconds(5)).until(() -> "1".equals(rawGet(this.namespace + "/mine")));
		long renewed = this.raw.getKVClient().get(bytes(this.namespace + "/mine")).get(5, TimeUnit.SECONDS).getKvs().get(0)
			.getLease();
		assertThat(renewed).isNotIn(0L, lease);
		assertThat(rawGet(this.namespace + "/theirs")).isEqualTo("changed");
		// Kept alive on the new lease past its TTL, and gone at once on close.
		await().during(Timing.seconds(4)).atMost(Timing.seconds(5)).until(() -> rawGet(this.namespace + "/mine") != null);
		store.close();
		assertThat(rawGet(this.namespace + "/mine")).isNull();
	}

}
