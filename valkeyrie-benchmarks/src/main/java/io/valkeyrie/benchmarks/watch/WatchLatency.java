package io.valkeyrie.benchmarks.watch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.benchmarks.Bounded;
import io.valkeyrie.benchmarks.Interval;
import io.valkeyrie.benchmarks.Report;
import io.valkeyrie.benchmarks.Samples;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import org.jspecify.annotations.Nullable;

/**
 * Put → event latency: one writer puts a new value, then waits until the watch delivers
 * that value; the time from the start of the put to the delivery is one sample. Ours is a
 * {@code Store.watch} fed by {@code Store.put}; the reference is the raw client's own watch
 * fed by the raw client's put (jetcd watch, ZooKeeper persistent watch, Redis keyspace
 * notifications, Consul blocking query). The local backend has no raw watch: its target
 * is absolute, and its reference column shows the put alone (start to return, a commit to
 * the file included) at the same percentile, the floor under put → event.
 */
public final class WatchLatency {

	private static final long TIMEOUT_MILLIS = 10_000;

	private final int warmup;

	private final int samples;

	public WatchLatency(int warmup, int samples) {
		this.warmup = warmup;
		this.samples = samples;
	}

	/**
	 * Measure one backend and add its rows.
	 * @param backend the backend
	 * @param oursAvailable whether the store can be opened (otherwise only the raw watch runs)
	 * @param report the report
	 */
	public void run(String backend, boolean oursAvailable, Report report) {
		if (backend.equals("local") && oursAvailable) {
			concurrentWriters(backend, report);
		}
		Samples ours = null;
		Samples puts = new Samples(this.samples);
		String oursError = "store unavailable";
		if (oursAvailable) {
			try {
				ours = Bounded.call("watch latency " + backend, Duration.ofSeconds(90), () -> ours(backend, "w/k", puts));
			}
			catch (Exception ex) {
				oursError = ex.toString();
			}
		}
		Samples raw = null;
		String rawError = null;
		if (!backend.equals("local")) {
			try {
				raw = Bounded.call("raw watch latency " + backend, Duration.ofSeconds(90), () -> raw(backend));
			}
			catch (Exception ex) {
				rawError = ex.toString();
			}
		}
		for (int p : new int[] { 50, 99 }) {
			String measure = "watch put→event p" + p + " (ms)";
			String target = (p == 99) ? target(backend) : "-";
			String reference = (raw != null) ? Report.format(raw.percentileMillis(p), 2) + " raw watch"
					: (rawError != null) ? "raw failed: " + rawError : backend.equals("local") ? putAlone(puts, p) : "-";
			if (ours == null) {
				report.failed(backend, measure, reference, target, oursError);
				continue;
			}
			double value = ours.percentileMillis(p);
			if (raw == null) {
				if (backend.equals("local")) {
					// An absolute target: the interval (of the percentile itself, in ms) is shown in the ratio column.
					Interval interval = Interval.percentile(ours, p);
					report.add(backend, measure, Report.format(value, 2), reference, interval, target,
							(p == 99) ? interval.verdict(1.0, true) : null);
				}
				else {
					// A missing reference cannot meet a ratio target.
					report.add(backend, measure, Report.format(value, 2), reference, Double.NaN, target, (p == 99) ? false : null);
				}
				continue;
			}
			Interval ratio = Interval.percentileRatio(ours, raw, p);
			report.add(backend, measure, Report.format(value, 2), reference, ratio, target, (p == 99) ? ratio.verdict(1.2, true) : null);
		}
	}

	private static String putAlone(Samples puts, int p) {
		return (puts.size() > 0) ? "put alone " + Report.format(puts.percentileMillis(p), 2) : "-";
	}

	private static String target(String backend) {
		return backend.equals("local") ? "< 1 ms" : "≤ 1.20";
	}

	/**
	 * The local target holds for concurrent writers too (their writes share commits): 4
	 * threads each put their own key of one store and wait for their own watch's event;
	 * their samples together give the row.
	 */
	private void concurrentWriters(String backend, Report report) {
		int writers = 4;
		Samples all = new Samples(this.samples * writers);
		Samples puts = new Samples(this.samples * writers);
		try {
			Bounded.call("watch latency, " + writers + " writers " + backend, Duration.ofSeconds(120), () -> {
				ExecutorService threads = Executors.newFixedThreadPool(writers);
				try {
					List<Future<Samples>> results = new ArrayList<>();
					List<Samples> putsOfEach = new ArrayList<>();
					for (int t = 0; t < writers; t++) {
						String key = "w/k" + t;
						Samples own = new Samples(this.samples);
						putsOfEach.add(own);
						results.add(threads.submit(() -> ours(backend, key, own)));
					}
					for (int t = 0; t < writers; t++) {
						for (long value : results.get(t).get().nanos()) {
							all.add(value);
						}
						for (long value : putsOfEach.get(t).nanos()) {
							puts.add(value);
						}
					}
				}
				finally {
					threads.shutdownNow();
				}
				return null;
			});
		}
		catch (Exception ex) {
			report.failed(backend, "watch put→event p99, " + writers + " writers (ms)", "< 1 ms", ex.toString());
			return;
		}
		for (int p : new int[] { 50, 99 }) {
			Interval interval = Interval.percentile(all, p);
			report.add(backend, "watch put→event p" + p + ", " + writers + " writers (ms)", Report.format(all.percentileMillis(p), 2),
					putAlone(puts, p), interval, (p == 99) ? "< 1 ms" : "-", (p == 99) ? interval.verdict(1.0, true) : null);
		}
	}

	/**
	 * Samples of ours alone: {@code Store.put} of {@code key} to {@code Store.watch} delivery.
	 * @param backend the backend
	 * @param key the key put and watched
	 * @return the samples, warm-up excluded
	 */
	public Samples ours(String backend, String key) throws InterruptedException {
		return ours(backend, key, null);
	}

	/**
	 * {@link #ours(String, String)}, also adding the time of each measured put alone (start
	 * to return) to {@code puts}.
	 */
	private Samples ours(String backend, String key, @Nullable Samples puts) throws InterruptedException {
		BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
		// Each writer has a store of its own (on the local backend they share the database, as threads of one application would).
		try (Store store = BenchServers.open(backend, "bench-watch-ours")) {
			store.put(key, "start");
			BlockingQueue<Boolean> started = new LinkedBlockingQueue<>();
			try (Watch watch = store.watch(key, (event) -> {
				if (event instanceof WatchEvent.Put) {
					arrivals.add(System.nanoTime());
				}
				else if (event instanceof WatchEvent.Snapshot) {
					started.add(true);
				}
			})) {
				if (started.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) == null) {
					throw new IllegalStateException("no first snapshot within " + TIMEOUT_MILLIS + " ms");
				}
				Samples samples = new Samples(this.samples);
				for (int i = 0; i < this.warmup + this.samples; i++) {
					arrivals.clear();
					long start = System.nanoTime();
					store.put(key, value(i));
					long returned = System.nanoTime();
					Long arrival = arrivals.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
					if (arrival == null) {
						throw new IllegalStateException("put " + i + " was not delivered within " + TIMEOUT_MILLIS + " ms");
					}
					if (i >= this.warmup) {
						samples.add(arrival - start);
						if (puts != null) {
							puts.add(returned - start);
						}
					}
				}
				return samples;
			}
		}
	}

	/**
	 * Samples of the raw client alone: its put to its own watch's notification.
	 * @param backend etcd, zookeeper, redis or consul
	 * @return the samples, warm-up excluded
	 */
	public Samples raw(String backend) throws Exception {
		try (RawWatch watch = RawWatch.open(backend, "w/k")) {
			Samples samples = new Samples(this.samples);
			for (int i = 0; i < this.warmup + this.samples; i++) {
				watch.drain();
				long start = System.nanoTime();
				watch.put(value(i));
				long arrival = watch.next(TIMEOUT_MILLIS);
				if (arrival < 0) {
					throw new IllegalStateException("raw put " + i + " was not delivered within " + TIMEOUT_MILLIS + " ms");
				}
				if (i >= this.warmup) {
					samples.add(arrival - start);
				}
			}
			return samples;
		}
	}

	private static byte[] value(int i) {
		return ("value-" + i).getBytes(StandardCharsets.UTF_8);
	}

}
