package io.valkeyrie.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;

/**
 * List scale: list a 10-key directory in a namespace that also holds {@code noise} other
 * keys ({@code noise/<i % 100>/k<i>}), and the same directory in an otherwise empty
 * namespace, alternating rounds of both; the ratio of the medians shows whether the cost
 * tracks the answer or the namespace.
 */
public final class ListScale {

	private static final int DIR_SIZE = 10;

	private final int noise;

	private final int rounds;

	public ListScale(int noise, int rounds) {
		this.noise = noise;
		this.rounds = rounds;
	}

	public void run(String backend, Report report) {
		String measure = "list 10 keys in " + String.format("%,d", this.noise) + "-key namespace (ms, p50)";
		try {
			Bounded.call("list scale " + backend, Duration.ofMinutes(5), () -> {
				measure(backend, measure, report);
				return null;
			});
		}
		catch (Exception ex) {
			report.failed(backend, measure, "≤ 2.00", ex.toString());
		}
	}

	private void measure(String backend, String measure, Report report) throws Exception {
		try (Store big = open(backend, "bench-list-big"); Store empty = open(backend, "bench-list-empty")) {
			for (Store store : List.of(big, empty)) {
				for (int i = 0; i < DIR_SIZE; i++) {
					store.put("dir/k" + i, "value-" + i);
				}
			}
			long seedMillis = populate(big);
			for (int i = 0; i < 20; i++) {
				check(big.list("dir").size());
				check(empty.list("dir").size());
			}
			Samples inBig = new Samples(this.rounds * 20);
			Samples inEmpty = new Samples(this.rounds * 20);
			for (int round = 0; round < this.rounds; round++) {
				time(big, inBig);
				time(empty, inEmpty);
			}
			double bigMillis = inBig.percentileMillis(50);
			double emptyMillis = inEmpty.percentileMillis(50);
			double ratio = bigMillis / emptyMillis;
			report.add(backend, measure, Report.format(bigMillis, 3), Report.format(emptyMillis, 3) + " empty ns", ratio, "≤ 2.00",
					ratio <= 2.0);
			if (seedMillis > 0) {
				report.note(backend + ": writing the " + String.format("%,d", this.noise) + " keys through the store took "
						+ String.format("%.1f", seedMillis / 1000.0) + " s (32 writer threads)");
			}
		}
	}

	/**
	 * The two namespaces share one server; for the local backend one shared in-memory
	 * database, so seeding does not wait for a file commit per key (listing reads the same
	 * in-memory pages either way).
	 */
	private static Store open(String backend, String namespace) {
		if (backend.equals("local")) {
			return Stores.open(StoreConfig.builder("local").namespace(namespace).option("name", "bench-list").build());
		}
		return BenchServers.open(backend, namespace);
	}

	private void time(Store store, Samples samples) {
		for (int i = 0; i < 20; i++) {
			long start = System.nanoTime();
			int size = store.list("dir").size();
			samples.add(System.nanoTime() - start);
			check(size);
		}
	}

	private static void check(int size) {
		if (size != DIR_SIZE) {
			throw new IllegalStateException("listed " + size + " keys, not " + DIR_SIZE);
		}
	}

	/** Write the noise keys (skipped when an earlier run on the same server did); returns the time taken. */
	private long populate(Store store) throws Exception {
		String marker = "noise-complete-" + this.noise;
		if (store.exists(marker)) {
			return 0;
		}
		long start = System.nanoTime();
		int threads = 32;
		ExecutorService writers = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int first = t;
				done.add(writers.submit(() -> {
					for (int i = first; i < this.noise; i += threads) {
						store.put("noise/" + (i % 100) + "/k" + i, "noise");
					}
				}));
			}
			for (Future<?> future : done) {
				future.get(30, TimeUnit.MINUTES);
			}
		}
		finally {
			writers.shutdownNow();
		}
		store.put(marker, "");
		return (System.nanoTime() - start) / 1_000_000;
	}

}
