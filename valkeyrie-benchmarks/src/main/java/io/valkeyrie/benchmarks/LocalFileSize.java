package io.valkeyrie.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import org.jspecify.annotations.Nullable;

/**
 * The local backend's file: its size after 100,000 puts that overwrite 1,000 keys of 256
 * bytes (4 writer threads), against the live data, while writing, after the load and after
 * a clean close; the time to open it again; and the time to open a large file (100,000
 * distinct keys of 256 bytes). Optionally a soak: the same overwrite load without pause for a
 * given time, the file's size sampled every few seconds.
 */
public final class LocalFileSize {

	/** How often the soak samples the file's size. */
	static final Duration SOAK_SAMPLE = Duration.ofSeconds(5);

	private final @Nullable Duration soak;

	private final Path logs;

	/**
	 * @param soak how long to run the steady overwrite load too, or {@code null} for none
	 * @param logs where the soak writes its samples ({@code local-file-soak.csv})
	 */
	public LocalFileSize(@Nullable Duration soak, Path logs) {
		this.soak = soak;
		this.logs = logs;
	}

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
			write(store, (i) -> "k/" + (i % KEYS), (i) -> i < PUTS, () -> largest.accumulateAndGet(size(file), Math::max), () -> { });
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
			write(store, (i) -> String.format("big/%06d", i), (i) -> i < PUTS, () -> { }, () -> { });
		}
		report.add("local", String.format("open a file of %,d keys of %d B (ms)", PUTS, VALUE_BYTES),
				Report.format(reopenMillis(large), 2), size(large) / 1024 + " KB file", Double.NaN, "-", null);
		if (this.soak != null) {
			soak(report, this.soak);
		}
	}

	/**
	 * The steady overwrite load: 4 writers overwrite the 1,000 keys without pause for the
	 * soak's duration; the file's size is sampled every {@link #SOAK_SAMPLE}. Rows: the
	 * largest sample, the largest of the second half against the first (a file that keeps
	 * growing shows it), the size after close and the time to open it again.
	 */
	private void soak(Report report, Duration duration) throws Exception {
		Path file = BenchServers.localFile("file-size-soak");
		Files.deleteIfExists(file);
		long live = KEYS * (VALUE_BYTES + "k/999".length());
		List<long[]> samples = new ArrayList<>();
		AtomicLong puts = new AtomicLong();
		long start = System.nanoTime();
		long end = start + duration.toNanos();
		try (Store store = open(file)) {
			write(store, (i) -> "k/" + (i % KEYS), (i) -> System.nanoTime() < end, () -> puts.addAndGet(1_000 / WRITERS), () -> {
				while (System.nanoTime() < end) {
					sleepMillis(Math.min(SOAK_SAMPLE.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
					long[] sample = { (System.nanoTime() - start) / 1_000_000, size(file), puts.get() };
					samples.add(sample);
					System.err.printf("[soak] %4d s  %,8d KB  %.2f× live  %,d puts%n", sample[0] / 1000, sample[1] / 1024,
							(double) sample[1] / live, sample[2]);
				}
			});
		}
		long closed = size(file);
		writeSamples(samples);
		long largest = samples.stream().mapToLong((sample) -> sample[1]).max().orElse(0);
		int half = samples.size() / 2;
		long firstHalf = samples.subList(0, half).stream().mapToLong((sample) -> sample[1]).max().orElse(0);
		long secondHalf = samples.subList(half, samples.size()).stream().mapToLong((sample) -> sample[1]).max().orElse(0);
		String target = "≤ 4× live + " + FIXED_OVERHEAD / 1024 + " KB";
		String reference = "live data " + live / 1024 + " KB";
		String measure = String.format("steady overwrite for %d s (%,d puts over %,d keys of %d B, 4 writers)", duration.toSeconds(),
				puts.get(), KEYS, VALUE_BYTES);
		report.add("local", measure + ", largest of " + samples.size() + " samples (KB)", Long.toString(largest / 1024), reference,
				(double) largest / live, target, largest <= 4 * live + FIXED_OVERHEAD);
		report.add("local", "same, largest in the second half / first half (KB)", secondHalf / 1024 + " / " + firstHalf / 1024, "-",
				(firstHalf > 0) ? (double) secondHalf / firstHalf : Double.NaN, "-", null);
		report.add("local", "same, after close (KB)", Long.toString(closed / 1024), reference, (double) closed / live, target,
				closed <= 4 * live + FIXED_OVERHEAD);
		report.add("local", "open that file again (ms)", Report.format(reopenMillis(file), 2), "-", Double.NaN, "-", null);
	}

	private void writeSamples(List<long[]> samples) throws IOException {
		StringBuilder csv = new StringBuilder("millis,file_bytes,puts\n");
		for (long[] sample : samples) {
			csv.append(sample[0]).append(',').append(sample[1]).append(',').append(sample[2]).append('\n');
		}
		Files.writeString(this.logs.resolve("local-file-soak.csv"), csv);
	}

	/**
	 * A duration as {@code 90s}, {@code 10m}, {@code 1h} or ISO-8601 ({@code PT10M}).
	 * @param text the duration
	 * @return the duration
	 */
	public static Duration parseDuration(String text) {
		String trimmed = text.trim().toLowerCase(java.util.Locale.ROOT);
		try {
			if (trimmed.matches("\\d+[smh]")) {
				long amount = Long.parseLong(trimmed.substring(0, trimmed.length() - 1));
				return switch (trimmed.charAt(trimmed.length() - 1)) {
					case 's' -> Duration.ofSeconds(amount);
					case 'm' -> Duration.ofMinutes(amount);
					default -> Duration.ofHours(amount);
				};
			}
			return Duration.parse(text.trim());
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("--soak takes a duration such as 90s, 10m, 1h or PT10M, not '" + text + "'");
		}
	}

	/**
	 * Put 256 random bytes to {@code key.apply(i)} for every {@code i} that {@code more}
	 * allows, spread over 4 writer threads (writer {@code t} takes every {@code i} with
	 * {@code i % 4 == t}); a writer runs {@code every1000} after each {@code i} that is a
	 * multiple of 1,000 plus {@code t} (every 250 of its puts), and {@code meanwhile} runs on
	 * the calling thread while they write.
	 */
	private static void write(Store store, IntFunction<String> key, IntPredicate more, Runnable every1000, Runnable meanwhile)
			throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
		try {
			List<Future<?>> results = new ArrayList<>();
			for (int t = 0; t < WRITERS; t++) {
				int writer = t;
				results.add(threads.submit(() -> {
					SplittableRandom random = new SplittableRandom(writer);
					byte[] value = new byte[VALUE_BYTES];
					for (int i = writer; more.test(i); i += WRITERS) {
						random.nextBytes(value);
						store.put(key.apply(i), value);
						if (i % 1_000 == writer) {
							every1000.run();
						}
					}
					return null;
				}));
			}
			meanwhile.run();
			for (Future<?> result : results) {
				result.get();
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static void sleepMillis(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
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
