package io.valkeyrie.store.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The write path of a local file: writers share commits, the file stays small under a
 * steady overwrite load, and an interrupted caller disturbs no one else.
 */
class LocalWritePathTest {

	private static final Duration RUN_TIMEOUT = Timing.seconds(120);

	/**
	 * What a file holds besides live data, whatever its size: headers, the maps' roots, chunks
	 * being compacted (idle: under 1 MiB; 1.1 MiB left after a close whose time-bounded compaction
	 * ran on a busy machine).
	 */
	private static final long FIXED_OVERHEAD_BYTES = 3 * 512 * 1024;

	@TempDir
	Path directory;

	private final List<Store> stores = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void cleanUp() {
		this.threads.shutdownNow();
		this.stores.forEach(Store::close);
	}

	@Test
	void concurrentWritersShareCommitsAndEachReturnsCommitted() throws Exception {
		LocalStore store = open("group.mv");
		LocalDatabase database = store.database();
		int writers = 4;
		int writes = 500;
		long commitsBefore = database.commits();
		runConcurrently(writers, (thread) -> {
			for (int i = 0; i < writes; i++) {
				store.put("t" + thread + "/" + i, "v" + i);
				// Returned, so committed: the file's last commit holds it, whatever the others still do.
				assertThat(database.committedIndex()).isGreaterThanOrEqualTo(store.get("t" + thread + "/" + i).lastIndex());
			}
		});
		long commits = database.commits() - commitsBefore;
		assertThat(commits).as("commits for %s writes from %s threads", writers * writes, writers)
			.isLessThan(writers * writes);
		assertThat(store.list("")).hasSize(writers * writes);
	}

	@Test
	void theFileStaysSmallUnderASteadyOverwriteLoad() throws Exception {
		Path file = this.directory.resolve("overwrite.mv");
		LocalStore store = open("overwrite.mv");
		int keys = 1_000;
		int puts = 100_000;
		int writers = 4;
		AtomicLong largest = new AtomicLong();
		runConcurrently(writers, (thread) -> {
			Random random = new Random(thread);
			byte[] value = new byte[256];
			for (int i = thread; i < puts; i += writers) {
				random.nextBytes(value);
				store.put("key/" + (i % keys), value);
				if (i % 1_000 == thread) {
					largest.accumulateAndGet(Files.size(file), Math::max);
				}
			}
		});
		long liveBytes = keys * (256L + "key/999".length());
		long open = Files.size(file);
		store.close();
		long closed = Files.size(file);
		long bound = 4 * liveBytes + FIXED_OVERHEAD_BYTES;
		// While 4 writers run, the compaction step (every 100 ms, between commits) can fall behind on
		// a busy machine (CI runs two test JVMs on 2 cores): bounded, but with room for that lag.
		long whileWriting = 2 * bound;
		assertThat(largest.get()).as("largest file while writing, live data %s bytes", liveBytes)
			.isLessThanOrEqualTo(whileWriting);
		assertThat(open).as("file after the load").isLessThanOrEqualTo(whileWriting);
		assertThat(closed).as("file after close, live data %s bytes", liveBytes).isLessThanOrEqualTo(bound);
		try (Store reopened = LocalStore.builder().path(file).open()) {
			assertThat(reopened.list("key")).hasSize(keys);
		}
	}

	@Test
	void anInterruptedCallerDisturbsNoOtherStoreOrWatch() throws Exception {
		LocalStore interrupted = open("interrupts.mv");
		LocalStore bystander = open("interrupts.mv");
		List<WatchEvent> resyncs = new CopyOnWriteArrayList<>();
		AtomicInteger watched = new AtomicInteger();
		bystander.watchTree("", (event) -> {
			if (event instanceof WatchEvent.Snapshot snapshot && snapshot.isResync()) {
				resyncs.add(event);
			}
			watched.incrementAndGet();
		});
		AtomicBoolean running = new AtomicBoolean(true);
		List<Throwable> unexpected = new CopyOnWriteArrayList<>();
		AtomicInteger interruptedCalls = new AtomicInteger();
		List<Thread> victims = new CopyOnWriteArrayList<>();
		ConcurrentHashMap<String, String> acknowledged = new ConcurrentHashMap<>();
		List<Future<?>> work = new ArrayList<>();
		for (int t = 0; t < 3; t++) {
			int thread = t;
			work.add(this.threads.submit(() -> {
				victims.add(Thread.currentThread());
				int i = 0;
				while (running.get()) {
					String key = "victim/" + thread + "/" + (i % 50);
					try {
						interrupted.put(key, "v" + i);
						acknowledged.put(key, "v" + i);
						interrupted.get(key);
						interrupted.list("victim/" + thread);
					}
					catch (StoreInterruptedException ex) {
						interruptedCalls.incrementAndGet();
					}
					catch (RuntimeException ex) {
						unexpected.add(ex);
					}
					// Each call starts afresh; a flag left over from an interrupt after the call is cleared here.
					Thread.interrupted();
					i++;
				}
				return null;
			}));
		}
		work.add(this.threads.submit(() -> {
			int i = 0;
			while (running.get()) {
				try {
					bystander.put("bystander/" + (i % 50), "v" + i);
					bystander.list("bystander");
				}
				catch (RuntimeException ex) {
					unexpected.add(ex);
				}
				i++;
			}
			return null;
		}));
		await().atMost(RUN_TIMEOUT).until(() -> victims.size() == 3);
		Random random = new Random(7);
		int interrupts = 0;
		long end = System.nanoTime() + Timing.seconds(3).toNanos();
		while (System.nanoTime() < end && interrupts < 20_000) {
			victims.get(random.nextInt(victims.size())).interrupt();
			interrupts++;
			LockSupport.parkNanos(random.nextInt(200_000));
		}
		running.set(false);
		for (Future<?> future : work) {
			future.get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}

		assertThat(unexpected).as("errors of calls other than interrupted ones").isEmpty();
		assertThat(resyncs).as("resyncs of a watch on another store").isEmpty();
		assertThat(interrupts).isGreaterThan(100);
		assertThat(watched.get()).isGreaterThan(1);
		interrupted.put("after", "interrupts");
		bystander.close();
		interrupted.close();
		try (Store reopened = LocalStore.builder().path(this.directory.resolve("interrupts.mv")).open()) {
			acknowledged.forEach((key, value) -> {
				// An interrupted put fails before it writes, so the last acknowledged value is the key's value.
				assertThat(reopened.get(key).valueAsString()).as(key).isEqualTo(value);
			});
			assertThat(reopened.get("after").valueAsString()).isEqualTo("interrupts");
		}
	}

	private LocalStore open(String file) {
		LocalStore store = LocalStore.builder().path(this.directory.resolve(file)).open();
		this.stores.add(store);
		return store;
	}

	private void runConcurrently(int count, ThrowingIntConsumer task) throws Exception {
		List<Future<?>> results = new ArrayList<>();
		for (int t = 0; t < count; t++) {
			int thread = t;
			results.add(this.threads.submit(() -> {
				task.accept(thread);
				return null;
			}));
		}
		for (Future<?> result : results) {
			result.get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	@FunctionalInterface
	private interface ThrowingIntConsumer {

		void accept(int value) throws Exception;

	}

}
