package io.valkeyrie.store.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
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
import io.valkeyrie.store.test.Timing;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.SFChunk;
import org.h2.mvstore.SingleFileStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What only the local backend has: a file that outlives a killed JVM and is locked against
 * other processes, in-memory databases shared by name, an injected clock, bounded history.
 */
class LocalStoreTest {

	private static final Duration CHILD_TIMEOUT = Timing.seconds(60);

	@TempDir
	Path directory;

	private final List<Store> stores = new ArrayList<>();

	private final List<Process> children = new ArrayList<>();

	@AfterEach
	void cleanUp() {
		this.stores.forEach(Store::close);
		this.children.forEach(Process::destroyForcibly);
	}

	@Test
	void writesThatReturnedSurviveAKilledJvm() throws Exception {
		Path file = this.directory.resolve("durable.mv");
		Process child = child("write", file);
		long childToken = Long.parseLong(awaitLine(child, "written "));
		child.destroyForcibly().waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

		Store store = open(LocalStore.builder().path(file));
		for (int i = 0; i < 100; i++) {
			assertThat(store.get("durable/" + i).valueAsString()).isEqualTo("value " + i);
		}
		// Kept alive by a store of the dead process: it now lives its TTL, then expires with an event.
		assertThat(store.exists("alive")).isTrue();
		await().atMost(Timing.seconds(5)).until(() -> !store.exists("alive"));
		// The dead process's lock blocks until its TTL runs out; then the fencing token goes on growing.
		StoreLock lock = store.newLock("lock", LockOptions.DEFAULTS);
		LockLease lease = lock.tryLock(Timing.seconds(10)).orElseThrow();
		assertThat(lease.fencingToken()).isGreaterThan(childToken);
		lease.close();
	}

	@Test
	void writesOfConcurrentWritersThatReturnedSurviveAKilledJvm() throws Exception {
		Path file = this.directory.resolve("group.mv");
		Process child = child("write-concurrently", file);
		// Each line is printed after the put returned, so every acknowledged value was committed (in a shared commit).
		List<String> acknowledged = awaitLines(child, "acked ", 400);
		child.destroyForcibly().waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

		Store store = open(LocalStore.builder().path(file));
		int[] last = new int[Child.WRITERS];
		for (String line : acknowledged) {
			String[] parts = line.split(" ");
			last[Integer.parseInt(parts[0])] = Math.max(last[Integer.parseInt(parts[0])], Integer.parseInt(parts[1]));
		}
		for (int writer = 0; writer < Child.WRITERS; writer++) {
			// A writer's puts are sequential: its key holds its last acknowledged value or a later one.
			assertThat(Integer.parseInt(store.get("writer/" + writer).valueAsString())).as("writer %s", writer)
				.isGreaterThanOrEqualTo(last[writer]);
		}
	}

	@Test
	void aFileInUseByAnotherProcessIsRefusedWithAClearError() throws Exception {
		Path file = this.directory.resolve("held.mv");
		Process child = child("hold", file);
		awaitLine(child, "open");

		assertThatThrownBy(() -> LocalStore.builder().path(file).open())
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining(file.toString())
			.hasMessageContaining("in use by another process");

		child.destroyForcibly().waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		Store store = open(LocalStore.builder().path(file));
		assertThat(store.get("held").valueAsString()).isEqualTo("by the child");
	}

	@Test
	void aStoreRecoversByItselfFromADiskWriteError() {
		Path file = this.directory.resolve("failing.mv");
		AtomicBoolean diskFails = new AtomicBoolean();
		Store store = open(LocalStore.builder().path(file).fileStores((name) -> {
			FailingFileStore fileStore = new FailingFileStore(diskFails);
			fileStore.open(name, false, null);
			return fileStore;
		}));
		store.put("before", "1");
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watchTree("", events::add);

		diskFails.set(true);
		assertThatThrownBy(() -> store.put("during", "2")).isInstanceOf(StoreUnavailableException.class);
		diskFails.set(false);

		store.put("after", "3");
		assertThat(store.list("")).extracting(KVPair::key).containsExactly("after", "before");
		await().atMost(Timing.seconds(5)).until(() -> events.stream()
			.anyMatch((event) -> event instanceof WatchEvent.Snapshot snapshot && snapshot.isResync()));
	}

	@Test
	void lastIndexKeepsGrowingAcrossRestarts() {
		Path file = this.directory.resolve("restart.mv");
		long first;
		try (Store store = LocalStore.builder().path(file).open()) {
			store.put("a", "1");
			first = store.get("a").lastIndex();
			store.delete("a");
		}
		try (Store store = LocalStore.builder().path(file).open()) {
			store.put("a", "2");
			assertThat(store.get("a").lastIndex()).isGreaterThan(first + 1);
		}
	}

	@Test
	void storesOnOneFileShareTheDatabaseAndItClosesWithTheLast() throws IOException {
		Path file = this.directory.resolve("shared.mv");
		Store one = LocalStore.builder().path(file).open();
		Store two = LocalStore.builder().path(this.directory.resolve("sub/../shared.mv")).open();
		one.put("k", "v");
		assertThat(two.get("k").valueAsString()).isEqualTo("v");
		assertThat(one).hasToString("LocalStore[backend=local, file " + file.toRealPath() + ", namespace='']");
		assertThat(one.serverInfo()).containsEntry("database", "file " + file.toRealPath())
			.containsEntry("index", two.get("k").lastIndex())
			.hasEntrySatisfying("engine", (engine) -> assertThat(engine.toString()).startsWith("H2 MVStore"));
		one.close();
		two.put("k", "w");
		two.close();
		try (Store three = LocalStore.builder().path(file).open()) {
			assertThat(three.get("k").valueAsString()).isEqualTo("w");
		}
	}

	@Test
	void storesOpenedAndClosedConcurrentlyOnOneFileShareItSafely() throws Exception {
		Path file = this.directory.resolve("churn.mv");
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> results = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				int thread = t;
				results.add(threads.submit(() -> {
					for (int i = 0; i < 25; i++) {
						try (Store store = LocalStore.builder().path(file).open()) {
							store.put("t" + thread, Integer.toString(i));
						}
					}
					return null;
				}));
			}
			for (Future<?> result : results) {
				result.get(CHILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
		finally {
			threads.shutdownNow();
		}
		try (Store store = LocalStore.builder().path(file).open()) {
			assertThat(store.list("")).extracting(KVPair::valueAsString).containsOnly("24");
		}
	}

	@Test
	void inMemoryStoresShareDataByName() {
		Store one = open(LocalStore.builder().name("shared-by-name"));
		Store two = open(LocalStore.builder().name("shared-by-name"));
		Store other = open(LocalStore.builder().name("another-name"));
		Store anonymous = open(LocalStore.builder());
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		two.watch("k", events::add);
		one.put("k", "v");
		assertThat(two.get("k").valueAsString()).isEqualTo("v");
		assertThat(other.exists("k")).isFalse();
		assertThat(anonymous.exists("k")).isFalse();
		await().atMost(Timing.seconds(5)).until(() -> events.stream().anyMatch(WatchEvent.Put.class::isInstance));

		LockLease lease = one.newLock("lock", LockOptions.DEFAULTS).lock();
		assertThat(two.newLock("lock", LockOptions.DEFAULTS).tryLock()).isEmpty();
		assertThat(other.newLock("lock", LockOptions.DEFAULTS).tryLock()).hasValueSatisfying(LockLease::close);
		lease.close();
		assertThat(two.newLock("lock", LockOptions.DEFAULTS).tryLock()).hasValueSatisfying(LockLease::close);
	}

	@Test
	void anInMemoryDatabaseIsGoneWithItsLastStore() {
		try (Store store = LocalStore.builder().name("short-lived").open()) {
			store.put("k", "v");
		}
		try (Store store = LocalStore.builder().name("short-lived").open()) {
			assertThat(store.exists("k")).isFalse();
		}
	}

	@Test
	void expiryFollowsTheInjectedClockWithoutSleeping() {
		ManualClock clock = new ManualClock();
		Store store = open(LocalStore.builder().clock(clock));
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		store.watch("k", events::add);
		store.put("k", utf8("v"), WriteOptions.ttl(Duration.ofHours(1)));
		store.put("permanent", utf8("v"), WriteOptions.ttl(Duration.ofHours(1)));
		store.put("permanent", "v");

		clock.advance(Duration.ofMinutes(59));
		assertThat(store.exists("k")).isTrue();
		clock.advance(Duration.ofMinutes(1));
		assertThat(store.exists("k")).isFalse();
		assertThatThrownBy(() -> store.get("k")).isInstanceOf(KeyNotFoundException.class);
		assertThat(store.exists("permanent")).as("a put without TTL makes the key permanent").isTrue();
		await().atMost(Timing.seconds(5)).until(() -> events.stream().anyMatch(WatchEvent.Delete.class::isInstance));
	}

	@Test
	void anUnrenewedLockExpiresByTheInjectedClockAndItsHolderIsTold() {
		ManualClock clock = new ManualClock();
		Store holder = open(LocalStore.builder().name("clocked-lock").clock(clock));
		Store waiter = open(LocalStore.builder().name("clocked-lock"));
		LockOptions options = LockOptions.builder().ttl(Duration.ofHours(1)).renew(false).build();
		LockLease lease = holder.newLock("l", options).lock();
		StoreLock other = waiter.newLock("l", options);
		assertThat(other.tryLock()).isEmpty();

		clock.advance(Duration.ofHours(1));
		LockLease taken = other.tryLock(Timing.seconds(5)).orElseThrow();
		assertThat(taken.fencingToken()).isGreaterThan(lease.fencingToken());
		await().atMost(Timing.seconds(5)).until(() -> !lease.isValid());
		assertThat(lease.lost().toCompletableFuture().join().reason()).isEqualTo(LockLoss.Reason.EXPIRED);
	}

	@Test
	void aCallOfTheHolderReturnsOnlyAfterTheLossListenersRanOnTheThreadThatNoticedIt() throws Exception {
		Store holder = open(LocalStore.builder().name("told-before-return"));
		LockLease lease = holder.newLock("l", LockOptions.builder().ttl(Duration.ofMillis(300)).renew(false).build()).lock();
		CountDownLatch telling = new CountDownLatch(1);
		AtomicLong told = new AtomicLong();
		lease.lost().thenRun(() -> {
			telling.countDown();
			// A slow listener on the deadline timer's thread: a call racing with it must wait for it.
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
			told.set(System.nanoTime());
		});
		assertThat(telling.await(Timing.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		holder.put("after", "x");
		long returned = System.nanoTime();
		assertThat(told.get()).as("the listener had finished when the call returned").isNotZero();
		assertThat(told.get() - returned).isNegative();
	}

	@Test
	void aLossListenerMayCallTheStoreOfTheLostLease() throws Exception {
		Store holder = open(LocalStore.builder().name("listener-calls-store"));
		LockLease lease = holder.newLock("l", LockOptions.builder().ttl(Duration.ofMillis(300)).renew(false).build()).lock();
		CompletableFuture<String> wrote = new CompletableFuture<>();
		lease.lost().thenRun(() -> {
			try {
				holder.put("lost", "yes");
				wrote.complete("done");
			}
			catch (RuntimeException ex) {
				wrote.completeExceptionally(ex);
			}
		});
		assertThat(wrote.get(10, TimeUnit.SECONDS)).isEqualTo("done");
		assertThat(holder.get("lost").valueAsString()).isEqualTo("yes");
	}

	@Test
	void keepAliveKeysLiveWhileTheStoreIsOpenAndGoWithIt() {
		ManualClock clock = new ManualClock();
		Store writer = open(LocalStore.builder().name("keep-alive").clock(clock));
		Store reader = open(LocalStore.builder().name("keep-alive"));
		writer.put("alive", utf8("v"), WriteOptions.keepAlive(Duration.ofSeconds(10)));
		clock.advance(Duration.ofHours(1));
		assertThat(reader.exists("alive")).isTrue();
		writer.close();
		assertThat(reader.exists("alive")).isFalse();
	}

	@Test
	void aWatchResumedBeyondTheKeptHistoryResyncs() {
		Store store = open(LocalStore.builder().config(StoreConfig.builder("local").option("history-size", 2).build()));
		store.put("h/a", "1");
		long old = store.get("h/a").lastIndex();
		for (int i = 0; i < 5; i++) {
			store.put("h/b", "v" + i);
		}
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		Watch watch = store.watchTree("h", WatchOptions.DEFAULTS.resumeFrom(old), events::add);
		await().atMost(Timing.seconds(5)).until(() -> !events.isEmpty());
		assertThat(events.get(0)).isInstanceOfSatisfying(WatchEvent.Snapshot.class,
				(snapshot) -> assertThat(snapshot.isResync()).isTrue());
		watch.close();

		long recent = store.get("h/b").lastIndex();
		store.put("h/b", "last");
		List<WatchEvent> resumed = new CopyOnWriteArrayList<>();
		store.watchTree("h", WatchOptions.DEFAULTS.resumeFrom(recent), resumed::add);
		await().atMost(Timing.seconds(5)).until(() -> !resumed.isEmpty());
		assertThat(resumed.get(0)).isInstanceOfSatisfying(WatchEvent.Put.class,
				(put) -> assertThat(put.pair().valueAsString()).isEqualTo("last"));
	}

	@Test
	void aListenerRunOnTheWritingThreadMayWriteToo() {
		Store store = open(LocalStore.builder());
		List<String> seen = new CopyOnWriteArrayList<>();
		store.watchTree("", WatchOptions.DEFAULTS.withExecutor(Runnable::run), (event) -> {
			if (event instanceof WatchEvent.Put put) {
				seen.add(put.key());
				if (put.key().equals("first")) {
					store.put("second", "written by the listener");
				}
			}
		});
		store.put("first", "v");
		assertThat(store.get("second").valueAsString()).isEqualTo("written by the listener");
		assertThat(seen).containsExactly("first", "second");
	}

	@Test
	void optionsAreChecked() {
		assertThatThrownBy(() -> Stores.open(StoreConfig.builder("local").option("pth", "x").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("'pth'")
			.hasMessageContaining("the local options are path, name, fsync, history-size");
		assertThatThrownBy(() -> Stores.open(StoreConfig.builder("local").option("path", "x").option("name", "y").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("not both");
		assertThatThrownBy(() -> Stores.open(StoreConfig.builder("local").option("fsync", "yes").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("'fsync'");
		assertThatThrownBy(() -> Stores.open(StoreConfig.builder("local").endpoints("localhost:1").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("no endpoints");
	}

	@ParameterizedTest(name = "fsync={0}")
	@ValueSource(booleans = { false, true })
	void aWriteIsInTheFileWhenItReturns(boolean fsync) throws IOException {
		Path file = this.directory.resolve("write-through.mv");
		Store store = open(LocalStore.builder().path(file).fsync(fsync));
		String marker = "marker-" + UUID.randomUUID();
		store.put("k", marker);
		assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).contains(marker);
	}

	private static byte[] utf8(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	private Store open(LocalStore.Builder builder) {
		Store store = builder.open();
		this.stores.add(store);
		return store;
	}

	private Process child(String mode, Path file) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(), mode,
				file.toString())
			.redirectErrorStream(true)
			.start();
		this.children.add(process);
		return process;
	}

	/** Wait for a line starting with {@code expected}; returns the rest of it. */
	private static String awaitLine(Process process, String expected) throws Exception {
		return awaitLines(process, expected, 1).get(0);
	}

	/** Wait for {@code count} lines starting with {@code expected}; returns the rest of each. */
	private static List<String> awaitLines(Process process, String expected, int count) throws Exception {
		StringBuffer seen = new StringBuffer();
		CompletableFuture<List<String>> found = CompletableFuture.supplyAsync(() -> {
			List<String> lines = new ArrayList<>();
			// Not closed: the child goes on writing to it until it is killed.
			BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			try {
				String line;
				while ((line = output.readLine()) != null) {
					if (line.startsWith(expected)) {
						lines.add(line.substring(expected.length()));
						if (lines.size() == count) {
							return lines;
						}
					}
					else {
						seen.append(line).append('\n');
					}
				}
				return null;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
		try {
			List<String> lines = found.get(CHILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (lines != null) {
				return lines;
			}
		}
		catch (TimeoutException ex) {
			// Reported below with what the child printed.
			process.destroyForcibly();
		}
		throw new AssertionError("The child JVM did not print '" + expected + "'; its output:\n" + seen);
	}

	/** The other process of the tests above. */
	static final class Child {

		static final int WRITERS = 4;

		public static void main(String[] args) throws Exception {
			String mode = args[0];
			Store store = LocalStore.builder().path(Path.of(args[1])).open();
			if (mode.equals("write-concurrently")) {
				for (int t = 0; t < WRITERS; t++) {
					int writer = t;
					Thread thread = new Thread(() -> {
						for (int i = 1; i < 1_000_000; i++) {
							store.put("writer/" + writer, Integer.toString(i));
							System.out.println("acked " + writer + " " + i);
						}
					});
					thread.start();
				}
			}
			else if (mode.equals("write")) {
				for (int i = 0; i < 100; i++) {
					store.put("durable/" + i, "value " + i);
				}
				store.put("alive", utf8("v"), WriteOptions.keepAlive(Duration.ofSeconds(1)));
				LockLease lease = store.newLock("lock", LockOptions.builder().ttl(Duration.ofSeconds(2)).build()).lock();
				System.out.println("written " + lease.fencingToken());
			}
			else {
				store.put("held", "by the child");
				System.out.println("open");
			}
			System.out.flush();
			// Wait to be killed: nothing is closed or flushed on the way out.
			Thread.currentThread().join();
		}

	}

	/** A file whose writes fail while {@code fails} is set, like a full disk. */
	static final class FailingFileStore extends SingleFileStore {

		private final AtomicBoolean fails;

		FailingFileStore(AtomicBoolean fails) {
			super(new HashMap<>());
			this.fails = fails;
		}

		@Override
		protected void writeFully(SFChunk chunk, long position, ByteBuffer source) {
			if (this.fails.get()) {
				throw DataUtils.newMVStoreException(DataUtils.ERROR_WRITING_FAILED, "No space left on device (simulated)");
			}
			super.writeFully(chunk, position, source);
		}

	}

	/** A clock that moves only when told. */
	static final class ManualClock implements InstantSource {

		private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

		void advance(Duration duration) {
			this.millis.addAndGet(duration.toMillis());
		}

		@Override
		public Instant instant() {
			return Instant.ofEpochMilli(this.millis.get());
		}

		@Override
		public long millis() {
			return this.millis.get();
		}

	}

}
