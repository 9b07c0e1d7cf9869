package io.valkeyrie.store.zookeeper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.test.FreezingProxy;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import io.valkeyrie.store.test.ServerUse;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What only ZooKeeper has: the znode layout, session expiry, server restarts.
 */
@ServerUse(shared = {}, exclusive = "zookeeper")
class ZookeeperStoreTest {

	private final String namespace = "zk-test/" + UUID.randomUUID().toString().substring(0, 8);

	private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
	}

	private StoreConfig.Builder config() {
		return StoreConfig.builder("zookeeper")
			.endpoints(TestServers.endpoint("zookeeper"))
			.namespace(this.namespace)
			.option("session-timeout", "2s");
	}

	private Store open() {
		return open(config());
	}

	private Store open(StoreConfig.Builder config) {
		Store store = Stores.open(config.build());
		this.closeables.add(store);
		return store;
	}

	private CuratorFramework rawClient() {
		CuratorFramework client = CuratorFrameworkFactory.newClient(TestServers.endpoint("zookeeper"), new RetryOneTime(100));
		client.start();
		this.closeables.add(client);
		return client;
	}

	@Test
	void unlockOfALockWhoseZnodeIsGoneIsLockNotHeld() throws Exception {
		Store store = open();
		StoreLock lock = store.newLock("l");
		LockLease lease = lock.lock();
		CuratorFramework raw = rawClient();
		String queue = "/valkeyrie/locks/" + this.namespace + "/l";
		for (String contender : raw.getChildren().forPath(queue)) {
			raw.delete().forPath(queue + "/" + contender);
		}
		// Whether the deletion's watch or the release finds it first, the unlock must say the lock was lost.
		assertThatExceptionOfType(LockNotHeldException.class).isThrownBy(lock::unlock);
		assertThat(lease.isValid()).isFalse();
		assertThat(lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason()).isEqualTo(LockLoss.Reason.RECORD_REMOVED);
	}

	@Test
	void valueIsReadableWithPlainCuratorAtTheDocumentedPath() throws Exception {
		Store store = open();
		store.put("a/b c/ü*?", "hello");
		CuratorFramework raw = rawClient();
		String path = "/valkeyrie/kv/" + this.namespace + "/a/b c/ü*?";
		assertThat(((ZookeeperStore) store).pathOf("a/b c/ü*?")).isEqualTo(path);
		byte[] data = raw.getData().forPath(path);
		assertThat(new String(data, 2, data.length - 2, StandardCharsets.UTF_8)).isEqualTo("hello");
		assertThat(raw.checkExists().forPath("/valkeyrie/kv/" + this.namespace + "/a")).isNotNull();
		assertThat(store.exists("a")).isFalse();
	}

	@Test
	void keysZookeeperForbidsAreEscaped() {
		Store store = open();
		// Surrogates (the emoji) and U+FFF0..U+FFFF are characters ZooKeeper refuses in a path; the key
		// rules take U+FFFC and U+FFFD (symbols), so the store must escape them.
		String key = "emoji😀/specials\uFFFC\uFFFD/percent%41";
		store.put(key, "v");
		assertThat(store.get(key).valueAsString()).isEqualTo("v");
		assertThat(store.list("").get(0).key()).isEqualTo(key);
	}

	@Test
	void deletingAKeyWithChildrenKeepsTheChildrenAndListSkipsDirectories() {
		Store store = open();
		store.put("a", "1");
		store.put("a/b/c", "2");
		assertThat(store.list("a")).extracting(KVPair::key).containsExactly("a/b/c");
		store.delete("a");
		assertThat(store.exists("a")).isFalse();
		assertThat(store.get("a/b/c").valueAsString()).isEqualTo("2");
		assertThat(store.list("")).extracting(KVPair::key).containsExactly("a/b/c");
		assertThat(store.list("a/b/c")).isEmpty();
		store.delete("a/b/c");
		assertThatExceptionOfType(KeyNotFoundException.class).isThrownBy(() -> store.list("a"));
		store.put("x/y/z/w", "deep");
		store.put("x", "top");
		store.deleteTree("x");
		assertThat(store.exists("x/y/z/w")).isFalse();
		assertThatExceptionOfType(KeyNotFoundException.class).isThrownBy(() -> store.deleteTree("x"));
	}

	@Test
	void watchersSeeEveryOneOfManyQuickWritesThroughTheJournal() throws Exception {
		Store writer = open();
		Store watcher = open();
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watchTree("", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		List<String> written = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			writer.put("dir/k" + (i % 3), "v" + i);
			written.add("dir/k" + (i % 3) + "=v" + i);
		}
		await().atMost(Timing.seconds(10)).until(() -> events.size() == 201);
		assertThat(events.subList(1, 201)).map((event) -> {
			KVPair pair = ((WatchEvent.Put) event).pair();
			return pair.key() + "=" + pair.valueAsString();
		}).containsExactlyElementsOf(written);
		// Journal entries never show, and are deleted after their retention.
		assertThat(watcher.list("")).extracting(KVPair::key).containsExactly("dir/k0", "dir/k1", "dir/k2");
		CuratorFramework raw = rawClient();
		String dir = "/valkeyrie/kv/" + this.namespace + "/dir";
		assertThat(raw.getChildren().forPath(dir)).anyMatch((name) -> name.startsWith(Journal.PREFIX));
		await().atMost(Timing.seconds(20))
			.until(() -> raw.getChildren().forPath(dir), (names) -> names.stream().noneMatch((name) -> name.startsWith(Journal.PREFIX)));
	}

	@Test
	void theJournalCleanupOfAStreamOfWritesChecksEachDirectoryOncePerBatchNotOncePerWrite() throws Exception {
		Store writer = open();
		Store watcher = open();
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watchTree("", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		int writes = 300;
		for (int i = 0; i < writes; i++) {
			writer.put("dir/k" + (i % 3), "v" + i);
		}
		await().atMost(Timing.seconds(10)).until(() -> events.size() == writes + 1);
		long session = ((ZookeeperStore) writer).curator().getZookeeperClient().getZooKeeper().getSessionId();
		long before = requestsReceivedFrom(session);
		CuratorFramework raw = rawClient();
		String dir = "/valkeyrie/kv/" + this.namespace + "/dir";
		await().atMost(Timing.seconds(30))
			.until(() -> raw.getChildren().forPath(dir), (names) -> names.stream().noneMatch((name) -> name.startsWith(Journal.PREFIX)));
		// The writer deletes its entries in a transaction per second and then checks the
		// directory once per transaction (pings add a few requests a second); a check per
		// deleted entry was one more request for every write.
		await().during(Duration.ofSeconds(2))
			.atMost(Timing.seconds(10))
			.until(() -> requestsReceivedFrom(session) - before, (requests) -> requests < writes / 3);
	}

	/** How many requests the server received on the connection of {@code session} (the {@code cons} command). */
	private static long requestsReceivedFrom(long session) throws Exception {
		String[] endpoint = TestServers.endpoint("zookeeper").split(":");
		String connections = FourLetterWordMain.send4LetterWord(endpoint[0], Integer.parseInt(endpoint[1]), "cons");
		String sid = "sid=0x" + Long.toHexString(session);
		for (String line : connections.split("\n")) {
			int at = line.indexOf("recved=");
			if (line.contains(sid + ",") && at >= 0) {
				return Long.parseLong(line.substring(at + 7, line.indexOf(',', at)));
			}
		}
		throw new IllegalStateException("No connection of session " + sid + " in: " + connections);
	}

	@Test
	void writesJournalOnlyWhileSomeStoreWatches() throws Exception {
		String basePath = "/valkeyrie-registry-" + UUID.randomUUID().toString().substring(0, 8);
		Store writer = open(config().option("base-path", basePath));
		CuratorFramework raw = rawClient();
		String root = basePath + "/kv/" + this.namespace;
		writer.put("k", "0");
		assertThat(raw.getChildren().forPath(root)).containsExactly("k");

		Store watcher = open(config().option("base-path", basePath));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watch("k", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		assertThat(raw.getChildren().forPath(basePath + "/watchers")).hasSize(1);
		assertEveryWriteArrives(writer, events);
		assertThat(raw.getChildren().forPath(root)).anyMatch((name) -> name.startsWith(Journal.PREFIX));

		// The watcher goes: writers learn it and stop journaling.
		watcher.close();
		int[] attempt = { 0 };
		await().atMost(Timing.seconds(5)).until(() -> {
			String key = "after" + attempt[0]++;
			writer.put(key, "x");
			return raw.getChildren().forPath(root).stream().noneMatch((name) -> name.startsWith(Journal.PREFIX + key + "-"));
		});
	}

	@Test
	void aWriterThatMissedTheRegistrationOfAWatcherIsRefusedByTheServerAndJournals() throws Exception {
		String basePath = "/valkeyrie-registry-" + UUID.randomUUID().toString().substring(0, 8);
		Store writer = open(config().option("base-path", basePath));
		writer.put("k", "0");
		// The writer no longer hears of registrations: it keeps believing that nobody watches.
		((ZookeeperStore) writer).curator().getZookeeperClient().getZooKeeper()
			.removeAllWatches(basePath + "/watchers", Watcher.WatcherType.Any, true);

		Store watcher = open(config().option("base-path", basePath));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watch("k", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		assertEveryWriteArrives(writer, events);
	}

	/** 50 quick writes of "k" reach a watcher whose first event (the snapshot) is in {@code events}, in order. */
	private static void assertEveryWriteArrives(Store writer, List<WatchEvent> events) {
		List<String> written = new ArrayList<>();
		for (int i = 1; i <= 50; i++) {
			writer.put("k", "v" + i);
			written.add("v" + i);
		}
		await().atMost(Timing.seconds(10)).until(() -> events.size() == 51);
		assertThat(events.subList(1, 51)).map((event) -> ((WatchEvent.Put) event).pair().valueAsString())
			.containsExactlyElementsOf(written);
	}

	@Test
	void valuesTooLargeToJournalStillReachWatchers() {
		Store writer = open(config().maxValueSize(1_000_000));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		writer.watch("big", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		byte[] big = new byte[900_000];
		big[0] = 1;
		writer.put("big", big);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 2);
		assertThat(((WatchEvent.Put) events.get(1)).pair().value()).isEqualTo(big);
	}

	@Test
	void compareAndSwapComparesTheMzxid() throws Exception {
		Store store = open();
		Store other = open();
		KVPair created = store.atomicPut("counter", "0".getBytes(), null, WriteOptions.NONE);
		assertThatExceptionOfType(KeyExistsException.class)
			.isThrownBy(() -> other.atomicPut("counter", "x".getBytes(), null, WriteOptions.NONE));
		KVPair next = other.atomicPut("counter", "1".getBytes(), created, WriteOptions.NONE);
		assertThat(next.lastIndex()).isGreaterThan(created.lastIndex());
		assertThatExceptionOfType(KeyModifiedException.class)
			.isThrownBy(() -> store.atomicPut("counter", "2".getBytes(), created, WriteOptions.NONE));
		assertThatExceptionOfType(KeyModifiedException.class).isThrownBy(() -> store.atomicDelete("counter", created));
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				Store s = (t % 2 == 0) ? store : other;
				futures.add(pool.submit(() -> {
					for (int i = 0; i < 20; i++) {
						for (;;) {
							KVPair current = s.get("counter");
							int n = Integer.parseInt(current.valueAsString());
							try {
								s.atomicPut("counter", Integer.toString(n + 1).getBytes(), current, WriteOptions.NONE);
								break;
							}
							catch (KeyModifiedException ex) {
								// Lost the race: read again.
							}
						}
					}
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(store.get("counter").valueAsString()).isEqualTo("81");
	}

	@Test
	void compareAndSwapFailsWhenTheKeyIsDeletedAndRecreatedBetweenItsReadAndItsWrite() {
		ZookeeperStore store = (ZookeeperStore) open();
		Store other = open();
		List<Consumer<String>> removers = List.of(other::delete, other::deleteTree,
				(key) -> other.atomicDelete(key, other.get(key)));
		for (Consumer<String> remover : removers) {
			// Never overwritten, so the re-created znode would have the same data version as the one read.
			KVPair read = store.atomicPut("aba", "1".getBytes(), null, WriteOptions.NONE);
			store.beforeConditionalWrite = recreateOnce(store, other, remover);
			assertThatExceptionOfType(KeyModifiedException.class)
				.isThrownBy(() -> store.atomicPut("aba", "3".getBytes(), read, WriteOptions.NONE));
			assertThat(other.get("aba").valueAsString()).isEqualTo("2");
			KVPair again = other.get("aba");
			store.beforeConditionalWrite = recreateOnce(store, other, remover);
			assertThatExceptionOfType(KeyModifiedException.class).isThrownBy(() -> store.atomicDelete("aba", again));
			assertThat(other.get("aba").valueAsString()).isEqualTo("2");
			other.delete("aba");
		}
	}

	private static Consumer<String> recreateOnce(ZookeeperStore store, Store other, Consumer<String> remover) {
		return (key) -> {
			store.beforeConditionalWrite = null;
			remover.accept(key);
			other.put(key, "2");
		};
	}

	@Test
	void ttlKeyExpiresForWatchersWhileTheWriterStaysConnected() {
		assertWatcherSeesExpiry(false);
	}

	@Test
	void watchersExpireATtlKeyWhoseWriterIsGone() {
		assertWatcherSeesExpiry(true);
	}

	private void assertWatcherSeesExpiry(boolean closeWriter) {
		Store writer = open();
		Store watcher = open();
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watchTree("", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		writer.put("session", "v".getBytes(), WriteOptions.ttl(writer.minimumTtl()));
		long written = System.nanoTime();
		if (closeWriter) {
			// Its own expiry timer goes with it: the watcher's store must delete the key.
			writer.close();
		}
		await().atMost(Timing.seconds(5)).until(() -> events.stream().anyMatch(WatchEvent.Delete.class::isInstance));
		assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(watcher.minimumTtl().plusSeconds(1));
		assertThat(watcher.exists("session")).isFalse();
	}

	@Test
	void minimumTtlIsTheNegotiatedSessionTimeout() {
		Store store = open();
		assertThat(store.minimumTtl()).isEqualTo(Duration.ofSeconds(2));
		assertThat(store.serverInfo()).containsEntry("sessionTimeoutMillis", 2000)
			.containsEntry("state", "CONNECTED")
			.containsEntry("basePath", "/valkeyrie");
		assertThatExceptionOfType(io.valkeyrie.store.InvalidTtlException.class)
			.isThrownBy(() -> store.put("k", "v".getBytes(), WriteOptions.keepAlive(Duration.ofSeconds(1))))
			.withMessageContaining("session-timeout")
			.withMessageContaining("tickTime");
	}

	@Test
	void keepAliveKeysHaveKeysBelowThemAndOnlyThemselvesGoWithTheirWriter() {
		Store writer = open();
		Store watcher = open();
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		watcher.watchTree("", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		WriteOptions keepAlive = WriteOptions.keepAlive(writer.minimumTtl());
		writer.put("alive", "x".getBytes(), keepAlive);
		writer.put("alive/child", "below");
		writer.put("dir/child", "below");
		writer.put("dir", "x".getBytes(), keepAlive);
		writer.atomicPut("cas", "x".getBytes(), null, keepAlive);
		writer.put("cas/child", "below");
		assertThat(watcher.list("")).extracting(KVPair::key)
			.containsExactly("alive", "alive/child", "cas", "cas/child", "dir", "dir/child");
		// A plain put makes a keep-alive key permanent.
		writer.put("dir", "permanent");

		long closed = System.nanoTime();
		writer.close();
		assertThat(watcher.exists("alive")).isFalse();

		await().atMost(Timing.seconds(10))
			.until(() -> events.stream().filter(WatchEvent.Delete.class::isInstance).count() == 2);
		assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(watcher.minimumTtl().plusSeconds(1));
		assertThat(events).filteredOn(WatchEvent.Delete.class::isInstance)
			.extracting((event) -> ((WatchEvent.Delete) event).key())
			.containsExactlyInAnyOrder("alive", "cas");
		assertThat(watcher.list("")).extracting(KVPair::key)
			.containsExactly("alive/child", "cas/child", "dir", "dir/child");
		assertThat(watcher.exists("alive")).isFalse();
	}

	@Test
	void badOptionValuesAreRefusedWithTheirName() throws Exception {
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> Stores.open(config().option("session-timeout", "soon").build()))
			.withMessageContaining("session-timeout");
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> Stores.open(config().option("base-path", "/zookeeper/x").build()))
			.withMessageContaining("base-path");
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> Stores.open(config().option("acl", "world").build()))
			.withMessageContaining("acl");
		javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory
			.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
		trust.init((java.security.KeyStore) null);
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> Stores.open(config().tls(new io.valkeyrie.store.TlsConfig(null, trust, true)).build()))
			.withMessageContaining("tls-trust-store");
	}

	@Test
	void unknownOptionIsRefused() {
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> Stores.open(config().option("sesion-timeout", "2s").build()))
			.withMessageContaining("session-timeout");
	}

	@Test
	void sessionExpiryResyncsWatchesRecreatesKeepAliveKeysAndLosesLocks() throws Exception {
		Store store = open();
		Store observer = open();
		store.put("alive", "me".getBytes(), WriteOptions.keepAlive(store.minimumTtl()));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watchTree("", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		LockLease lease = store.newLock("job").lock();
		CompletableFuture<LockLoss> lost = lease.lost().toCompletableFuture();

		expireSession(((ZookeeperStore) store).curator());

		assertThat(lost.get(Timing.seconds(10).toMillis(), TimeUnit.MILLISECONDS).reason())
			.isIn(LockLoss.Reason.SESSION_EXPIRED, LockLoss.Reason.RENEWAL_FAILED);
		assertThat(lease.isValid()).isFalse();
		awaitResync(events);
		await().atMost(Timing.seconds(10)).until(() -> observer.exists("alive"));
		assertThat(observer.get("alive").valueAsString()).isEqualTo("me");
		assertThat(observer.newLock("job").tryLock(Timing.seconds(5))).isPresent();
		store.put("after", "x");
		awaitPut(events, "after", "x");
	}

	@Test
	void serverRestartResyncsWatchesAndCallsRecover() {
		Store store = open(config().requestTimeout(Duration.ofSeconds(2)));
		store.put("k", "1");
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watch("k", events::add);
		await().atMost(Timing.seconds(5)).until(() -> events.size() == 1);
		LockLease lease = store.newLock("lock").lock();
		StoreConfig whileDown = config().connectTimeout(Duration.ofSeconds(1)).build();
		TestServers.stop("zookeeper");
		try {
			long start = System.nanoTime();
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> store.get("k"))
				.satisfies((ex) -> assertThat(ex.backend()).isEqualTo("zookeeper"));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Timing.seconds(4));
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(store::serverInfo);
			start = System.nanoTime();
			assertThatExceptionOfType(StoreUnavailableException.class)
				.isThrownBy(() -> Stores.open(whileDown));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Timing.seconds(3));
			// By default a suspended connection already counts as losing the lock.
			assertThat(lease.lost().toCompletableFuture().join().reason()).isEqualTo(LockLoss.Reason.RENEWAL_FAILED);
		}
		finally {
			TestServers.start("zookeeper");
		}
		await().atMost(Timing.seconds(15)).ignoreExceptions().until(() -> store.get("k").valueAsString().equals("1"));
		awaitResync(events);
		store.put("k", "2");
		awaitPut(events, "k", "2");
	}

	@Test
	void aServerThatStopsAnsweringFailsCallsWithinTheRequestTimeout() throws Exception {
		FreezingProxy proxy = new FreezingProxy(TestServers.endpoint("zookeeper"));
		this.closeables.add(proxy);
		// ZooKeeper's client gives up on a silent connection only after 2/3 of the session timeout (20 s).
		Store store = open(config().endpoints(proxy.endpoint())
			.requestTimeout(Duration.ofSeconds(1))
			.option("session-timeout", "30s"));
		store.put("k", "1");
		proxy.freeze();
		try {
			long start = System.nanoTime();
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> store.get("k"));
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> store.put("k", "2"));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Timing.seconds(4));
		}
		finally {
			proxy.thaw();
		}
		// The late answers are dropped; the connection and the caller's thread are fine.
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
		await().atMost(Timing.seconds(5)).ignoreExceptions().until(() -> store.get("k") != null);
		store.put("k", "3");
		assertThat(store.get("k").valueAsString()).isEqualTo("3");
	}

	@Test
	void withLockLostOnSuspendOffALockSurvivesAShortOutage() {
		// Short means well within the session timeout: the lease's own deadline (the session timeout
		// after the last confirmed request, less 10 %) ends it otherwise, whatever the server kept.
		Store store = open(config().option("session-timeout", "30s").option("lock-lost-on-suspend", "false"));
		Store other = open();
		LockLease lease = store.newLock("l", LockOptions.builder().ttl(Duration.ofSeconds(30)).build()).lock();
		TestServers.restart("zookeeper");
		await().atMost(Timing.seconds(15)).ignoreExceptions().until(() -> !store.exists("nothing"));
		assertThat(lease.isValid()).isTrue();
		assertThat(other.newLock("l").tryLock()).isEmpty();
		lease.close();
		assertThat(other.newLock("l").tryLock()).isPresent();
	}

	@Test
	void credentialsAuthenticateWithDigestAndRestrictTheZnodesToTheirUser() throws Exception {
		String base = "/valkeyrie-auth-" + UUID.randomUUID().toString().substring(0, 8);
		Store alice = open(config().credentials("alice", "s3cret").option("base-path", base));
		alice.put("k", "v");
		assertThat(alice.toString()).doesNotContain("s3cret");
		CuratorFramework raw = rawClient();
		assertThatExceptionOfType(org.apache.zookeeper.KeeperException.NoAuthException.class)
			.isThrownBy(() -> raw.getData().forPath(base + "/kv/" + this.namespace + "/k"));
		assertThat(open(config().credentials("alice", "s3cret").option("base-path", base)).get("k").valueAsString())
			.isEqualTo("v");
		// Refused while opening: the store reads its namespace, which only alice may.
		assertThatExceptionOfType(io.valkeyrie.store.StoreException.class)
			.isThrownBy(() -> open(config().credentials("bob", "other").option("base-path", base)))
			.withMessageContaining("refused access")
			.withMessageNotContaining("s3cret");
	}

	@Test
	void storeOnAnExistingClientLeavesItOpenAndDeletesItsKeepAliveKeysOnClose() throws Exception {
		CuratorFramework raw = rawClient();
		Store store = ZookeeperStore.open(raw, StoreConfig.builder("zookeeper").namespace(this.namespace).build());
		store.put("alive", "x".getBytes(), WriteOptions.keepAlive(store.minimumTtl()));
		Store observer = open();
		assertThat(observer.exists("alive")).isTrue();
		store.close();
		assertThat(raw.getState()).isEqualTo(org.apache.curator.framework.imps.CuratorFrameworkState.STARTED);
		await().atMost(Timing.seconds(5)).until(() -> !observer.exists("alive"));
		assertThat(raw.checkExists().forPath("/valkeyrie")).isNotNull();
	}

	@Test
	void valuesUpToTheConfiguredMaximumFitAndLargerMaximumsAreRefused() {
		int max = 1_000_000;
		Store store = open(config().maxValueSize(max));
		byte[] big = new byte[max];
		new java.util.Random(1).nextBytes(big);
		store.put("big", big);
		assertThat(store.get("big").value()).isEqualTo(big);
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> Stores.open(config().maxValueSize(1 << 20).build()))
			.withMessageContaining("jute-max-buffer");
	}

	@Test
	void locksExcludeEachOtherAndTheirFencingTokensGrow() throws Exception {
		Store one = open();
		Store two = open();
		StoreLock a = one.newLock("l", LockOptions.builder().value("one").build());
		StoreLock b = two.newLock("l");
		LockLease first = a.lock();
		assertThat(one.get("l").valueAsString()).isEqualTo("one");
		assertThat(b.tryLock()).isEmpty();
		assertThat(b.tryLock(Duration.ofMillis(300))).isEmpty();
		CountDownLatch acquired = new CountDownLatch(1);
		long[] token = new long[1];
		Thread waiter = new Thread(() -> {
			token[0] = b.lock().fencingToken();
			acquired.countDown();
		});
		waiter.start();
		// The waiter must really be parked on the backend's release notification before the unlock.
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> waiter.getState() == Thread.State.WAITING || waiter.getState() == Thread.State.TIMED_WAITING);
		long released = System.nanoTime();
		a.unlock();
		assertThat(acquired.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofMillis(500));
		assertThat(token[0]).isGreaterThan(first.fencingToken());
		b.unlock();
		assertThat(one.list("")).extracting(KVPair::key).containsExactly("l");
	}

	private static void awaitResync(List<WatchEvent> events) {
		await().atMost(Timing.seconds(15))
			.until(() -> events.stream()
				.anyMatch((event) -> event instanceof WatchEvent.Snapshot snapshot && snapshot.isResync()));
	}

	private static void awaitPut(List<WatchEvent> events, String key, String value) {
		await().atMost(Timing.seconds(5))
			.until(() -> events.stream()
				.anyMatch((event) -> event instanceof WatchEvent.Put put && put.pair().key().equals(key)
						&& put.pair().valueAsString().equals(value)));
	}

	@Test
	void deletingTheLockZnodeIsReportedAsALoss() throws Exception {
		Store store = open();
		LockLease lease = store.newLock("l").lock();
		CuratorFramework raw = rawClient();
		String dir = "/valkeyrie/locks/" + this.namespace + "/l";
		List<String> contenders = raw.getChildren().forPath(dir);
		assertThat(contenders).hasSize(1).allMatch((name) -> name.startsWith(ZkLayout.CONTENDER_PREFIX));
		raw.delete().forPath(dir + "/" + contenders.get(0));
		assertThat(lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason())
			.isEqualTo(LockLoss.Reason.RECORD_REMOVED);
		assertThat(lease.isValid()).isFalse();
		assertThat(store.newLock("l").tryLock()).isPresent();
	}

	@Test
	void deletingTheZnodeOfALockTakenAfterWaitingOrWithOthersQueuedIsReportedAsALoss() throws Exception {
		Store one = open();
		Store two = open();
		Store three = open();
		CuratorFramework raw = rawClient();
		String dir = lockDir("l");
		// Taken at once, then someone queues: the holder's own znode is watched from then on.
		LockLease first = one.newLock("l").lock();
		CompletableFuture<LockLease> second = CompletableFuture.supplyAsync(() -> two.newLock("l").lock());
		awaitContenders(raw, dir, 2);
		raw.delete().forPath(dir + "/" + queue(raw, dir).get(0));
		assertThat(first.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason())
			.isEqualTo(LockLoss.Reason.RECORD_REMOVED);
		// Taken after waiting: the waiter watched its znode while it waited.
		LockLease taken = second.get(5, TimeUnit.SECONDS);
		assertThat(taken.fencingToken()).isGreaterThan(first.fencingToken());
		raw.delete().forPath(dir + "/" + queue(raw, dir).get(0));
		assertThat(taken.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason())
			.isEqualTo(LockLoss.Reason.RECORD_REMOVED);
		assertThat(three.newLock("l").tryLock()).isPresent();
	}

	@Test
	void aWaiterThatGivesUpDoesNotLetTheOneBehindItIn() throws Exception {
		Store holder = open();
		Store quitter = open();
		Store next = open();
		CuratorFramework raw = rawClient();
		String dir = lockDir("l");
		LockLease held = holder.newLock("l").lock();
		CompletableFuture<Boolean> gaveUp = CompletableFuture
			.supplyAsync(() -> quitter.newLock("l").tryLock(Duration.ofMillis(1500)).isEmpty());
		awaitContenders(raw, dir, 2);
		CompletableFuture<LockLease> behind = CompletableFuture.supplyAsync(() -> next.newLock("l").lock());
		awaitContenders(raw, dir, 3);
		// The quitter's znode, right ahead of the last waiter, goes; the holder's stays.
		assertThat(gaveUp.get(5, TimeUnit.SECONDS)).isTrue();
		awaitContenders(raw, dir, 2);
		await().during(Duration.ofMillis(500)).atMost(Timing.seconds(5)).until(() -> !behind.isDone());
		assertThat(held.isValid()).isTrue();
		held.close();
		assertThat(behind.get(5, TimeUnit.SECONDS).fencingToken()).isGreaterThan(held.fencingToken());
	}

	@Test
	void aLongQueueHandsTheLockOverInOrderWithoutOverlap() throws Exception {
		// Waiters with more than one contender ahead read the queue again when their predecessor goes.
		Store one = open();
		Store two = open();
		int threads = 12;
		java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
		java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
		List<Long> tokens = new CopyOnWriteArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				StoreLock lock = ((i % 2 == 0) ? one : two).newLock("l");
				done.add(pool.submit(() -> {
					for (int round = 0; round < 3; round++) {
						LockLease lease = lock.lock();
						if (inside.incrementAndGet() != 1) {
							overlaps.incrementAndGet();
						}
						tokens.add(lease.fencingToken());
						Thread.yield();
						inside.decrementAndGet();
						lease.close();
					}
					return null;
				}));
			}
			for (Future<?> future : done) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(overlaps.get()).isZero();
		assertThat(tokens).hasSize(threads * 3).isSorted().doesNotHaveDuplicates();
	}

	private String lockDir(String key) {
		return "/valkeyrie/locks/" + this.namespace + "/" + key;
	}

	private static void awaitContenders(CuratorFramework raw, String dir, int count) {
		await().atMost(Timing.seconds(5)).until(() -> raw.getChildren().forPath(dir).size() == count);
	}

	private static List<String> queue(CuratorFramework raw, String dir) throws Exception {
		List<String> names = new ArrayList<>(raw.getChildren().forPath(dir));
		names.sort(java.util.Comparator.comparing((String name) -> name.substring(name.length() - 10)));
		return names;
	}

	@Test
	void closingTheStoreEndsALockWaitWithStoreClosed() throws Exception {
		Store holder = open();
		Store waiting = open();
		LockLease lease = holder.newLock("l").lock();
		CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
			try {
				waiting.newLock("l").lock();
				return null;
			}
			catch (RuntimeException ex) {
				return ex;
			}
		});
		await().pollDelay(Duration.ofMillis(200)).atMost(Timing.seconds(5))
			.until(() -> ((ZookeeperStore) holder).curator().getChildren().forPath("/valkeyrie/locks/" + this.namespace + "/l").size() == 2);
		waiting.close();
		assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(io.valkeyrie.store.StoreClosedException.class);
		assertThat(lease.isValid()).isTrue();
		await().atMost(Timing.seconds(5))
			.until(() -> ((ZookeeperStore) holder).curator().getChildren().forPath("/valkeyrie/locks/" + this.namespace + "/l").size() == 1);
	}

	static void expireSession(CuratorFramework curator) throws Exception {
		ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
		CountDownLatch connected = new CountDownLatch(1);
		ZooKeeper twin = new ZooKeeper(curator.getZookeeperClient().getCurrentConnectionString(), 2000, (event) -> {
			if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
				connected.countDown();
			}
		}, zk.getSessionId(), zk.getSessionPasswd());
		assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
		twin.close();
	}

}
