package io.valkeyrie.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;

/**
 * The local backend's file: its size after 100,000 puts that overwrite 1,000 keys of 256
 * bytes (4 writer threads), against the live data, while writing, after the load and after
 * a clean close; the time to open it again; and the time to open a large file (100,000
 * distinct keys of 256 bytes).
 */
public final class LocalFileSize {

	/** What the file may hold besides 4× the live data (headers, maps' roots, chunks being compacted). */
	static final long FIXED_OVERHEAD = 1024 * 1024;

	private static final int KEYS = 1_000;

	private static final int PUTS = 100_000;

	private static final int VALUE_BYTES = 256;

	private static final int WRITERS = 4;

	public void run(Report report) throws Exception {
		Path file = BenchServers.localFile("file-size-overwrites");
		AtomicLong largest = new AtomicLong();
		try (Store store = open(file)) {
			write(store, (i) -> "k/" + (i % KEYS), () -> largest.accumulateAndGet(size(file), Math::max));
			largest.accumulateAndGet(size(file), Math::max);
		}
		long closed = size(file);
		long live = KEYS * (VALUE_BYTES + "k/999".length());
		String target = "≤ 4× live + " + FIXED_OVERHEAD / 1024 + " KB";
		String reference = "live data " + live / 1024 + " KB";
		String measure = String.format("file after %,d puts over %,d keys of %d B", PUTS, KEYS, VALUE_BYTES);
		report.add("local", measure + ", largest while writing (KB)", Long.toString(largest.get() / 1024), reference,
				(double) largest.get() / live, target, largest.get() <= 4 * live + FIXED_OVERHEAD);
		report.add("local", measure + ", after close (KB)", Long.toString(closed / 1024), reference, (double) closed / live, target,
				closed <= 4 * live + FIXED_OVERHEAD);
		report.add("local", "open that file again (ms)", Report.format(reopenMillis(file), 2), "-", Double.NaN, "-", null);

		Path large = BenchServers.localFile("file-size-large");
		try (Store store = open(large)) {
			write(store, (i) -> String.format("big/%06d", i), () -> { });
		}
		report.add("local", String.format("open a file of %,d keys of %d B (ms)", PUTS, VALUE_BYTES),
				Report.format(reopenMillis(large), 2), size(large) / 1024 + " KB file", Double.NaN, "-", null);
	}

	private static void write(Store store, IntFunction<String> key, Runnable every1000) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
		try {
			List<Future<?>> results = new ArrayList<>();
			for (int t = 0; t < WRITERS; t++) {
				int writer = t;
				results.add(threads.submit(() -> {
					SplittableRandom random = new SplittableRandom(writer);
					byte[] value = new byte[VALUE_BYTES];
					for (int i = writer; i < PUTS; i += WRITERS) {
						random.nextBytes(value);
						store.put(key.apply(i), value);
						if (i % 1_000 == writer) {
							every1000.run();
						}
					}
					return null;
				}));
			}
			for (Future<?> result : results) {
				result.get();
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static double reopenMillis(Path file) {
		long start = System.nanoTime();
		try (Store store = open(file)) {
			store.exists("k/0");
			return (System.nanoTime() - start) / 1e6;
		}
	}

	private static Store open(Path file) {
		return Stores.open(StoreConfig.builder("local").option("path", file).build());
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
