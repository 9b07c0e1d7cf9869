package io.valkeyrie.benchmarks.watch;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.benchmarks.ProcessSockets;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;

/**
 * Watch scale, run in a JVM of its own per backend (so threads and heap belong to this
 * store alone): open {@code watches} key watches on one store, wait for every first
 * snapshot, then change {@code changes} of the keys from 8 writer threads and wait until
 * every change is delivered. The baseline is taken after the same 8 writers warmed the
 * store up, so threads the client starts for concurrent writes are not counted. Prints one {@code @@ name=value} line per result for the
 * parent process.
 */
public final class WatchScale {

	private WatchScale() {
	}

	public static void main(String[] args) throws Exception {
		String backend = args[0];
		int watches = Integer.parseInt(args[1]);
		int changes = Integer.parseInt(args[2]);
		long timeoutMillis = Long.parseLong(args[3]);
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		int serverPort = backend.equals("local") ? -1 : ProcessSockets.port(backend, BenchServers.endpoint(backend));
		try (Store store = BenchServers.open(backend, "bench-watch-scale")) {
			// The same 8-writer pattern as the changes below, before the baseline: thread pools the
			// client grows for concurrent writes are then part of the baseline, not counted as
			// threads the watches added.
			ExecutorService warmers = Executors.newFixedThreadPool(8);
			List<java.util.concurrent.Future<?>> warm = new ArrayList<>();
			for (int i = 0; i < 400; i++) {
				String key = "warm/k" + (i % 50);
				warm.add(warmers.submit(() -> store.put(key, "v")));
			}
			for (java.util.concurrent.Future<?> future : warm) {
				future.get();
			}
			warmers.shutdown();
			store.get("warm/k0");
			long heapBefore = usedHeapAfterGc(memory);
			int threadsBefore = threads.getThreadCount();
			Map<String, Integer> namesBefore = threadNames();
			int socketsBefore = ProcessSockets.established(serverPort);
			threads.resetPeakThreadCount();

			CountDownLatch snapshots = new CountDownLatch(watches);
			CountDownLatch delivered = new CountDownLatch(changes);
			AtomicInteger puts = new AtomicInteger();
			List<Watch> opened = new ArrayList<>(watches);
			long openStart = System.nanoTime();
			for (int i = 0; i < watches; i++) {
				opened.add(store.watch(key(i), (event) -> {
					if (event instanceof WatchEvent.Snapshot) {
						snapshots.countDown();
					}
					else if (event instanceof WatchEvent.Put) {
						puts.incrementAndGet();
						delivered.countDown();
					}
				}));
			}
			boolean allStarted = snapshots.await(timeoutMillis, TimeUnit.MILLISECONDS);
			long openMillis = (System.nanoTime() - openStart) / 1_000_000;
			int threadsWatching = threads.getThreadCount();
			int socketsWatching = ProcessSockets.established(serverPort);
			long heapWatching = usedHeapAfterGc(memory);
			result("opened", watches - snapshots.getCount());
			result("openMillis", openMillis);
			if (!allStarted) {
				result("error", "only " + (watches - snapshots.getCount()) + " of " + watches + " watches had their first snapshot after "
						+ timeoutMillis + " ms");
			}

			ExecutorService writers = Executors.newFixedThreadPool(8);
			int step = watches / changes;
			long changeStart = System.nanoTime();
			for (int i = 0; i < changes; i++) {
				String key = key(i * step);
				writers.execute(() -> store.put(key, "changed"));
			}
			boolean allDelivered = delivered.await(timeoutMillis, TimeUnit.MILLISECONDS);
			long deliveryMillis = (System.nanoTime() - changeStart) / 1_000_000;
			writers.shutdown();
			int socketsChanging = ProcessSockets.established(serverPort);
			// The 8 writer threads are the harness's, not the store's.
			int peakAdded = threads.getPeakThreadCount() - threadsBefore - 8;
			Map<String, Integer> namesAfter = threadNames();
			namesBefore.forEach((name, count) -> namesAfter.merge(name, -count, Integer::sum));
			namesAfter.remove("pool-N-thread-N");
			namesAfter.values().removeIf((count) -> count <= 0);
			result("threadNamesAdded", namesAfter.toString());

			result("threadsBefore", threadsBefore);
			result("threadsAdded", Math.max(threadsWatching - threadsBefore, peakAdded));
			result("socketsBefore", socketsBefore);
			result("socketsWatching", Math.max(socketsWatching, socketsChanging));
			result("heapBeforeMb", heapBefore / 1024.0 / 1024.0);
			result("heapAddedMb", (heapWatching - heapBefore) / 1024.0 / 1024.0);
			result("heapUsedMb", heapWatching / 1024.0 / 1024.0);
			result("delivered", puts.get());
			result("deliveryMillis", allDelivered ? deliveryMillis : -1);
			opened.forEach(Watch::close);
		}
		System.exit(0);
	}

	/** Live threads by name with digits replaced, e.g. {@code grpc-default-executor-N}. */
	private static Map<String, Integer> threadNames() {
		Map<String, Integer> names = new TreeMap<>();
		for (Thread thread : Thread.getAllStackTraces().keySet()) {
			names.merge(thread.getName().replaceAll("[0-9]+", "N"), 1, Integer::sum);
		}
		return names;
	}

	private static String key(int i) {
		return "w/" + (i % 100) + "/k" + i;
	}

	private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(50);
		}
		return memory.getHeapMemoryUsage().getUsed();
	}

	private static void result(String name, Object value) {
		String text = (value instanceof Double number) ? String.format(Locale.ROOT, "%.1f", number) : String.valueOf(value);
		System.out.println("@@ " + name + "=" + text);
	}

}
