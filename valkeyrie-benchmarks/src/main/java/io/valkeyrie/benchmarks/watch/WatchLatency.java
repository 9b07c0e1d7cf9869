package io.valkeyrie.benchmarks.watch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.benchmarks.Bounded;
import io.valkeyrie.benchmarks.Report;
import io.valkeyrie.benchmarks.Samples;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;

/**
 * Put → event latency: one writer puts a new value, then waits until the watch delivers
 * that value; the time from the start of the put to the delivery is one sample. Ours is a
 * {@code Store.watch} fed by {@code Store.put}; the reference is the raw client's own watch
 * fed by the raw client's put (jetcd watch, ZooKeeper persistent watch, Redis keyspace
 * notifications, Consul blocking query). The local backend has no raw watch: its target
 * is absolute.
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
		Samples ours = null;
		String oursError = "store unavailable";
		if (oursAvailable) {
			try {
				ours = Bounded.call("watch latency " + backend, Duration.ofSeconds(90), () -> ours(backend));
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
					: (rawError != null) ? "raw failed: " + rawError : "-";
			if (ours == null) {
				report.failed(backend, measure, reference, target, oursError);
				continue;
			}
			double value = ours.percentileMillis(p);
			if (raw == null) {
				Boolean met = null;
				if (p == 99) {
					// Local has an absolute target; elsewhere a missing reference cannot meet a ratio target.
					met = backend.equals("local") && value < 1.0;
				}
				report.add(backend, measure, Report.format(value, 2), reference, Double.NaN, target, met);
				continue;
			}
			double ratio = value / raw.percentileMillis(p);
			report.add(backend, measure, Report.format(value, 2), reference, ratio, target, (p == 99) ? Boolean.valueOf(ratio <= 1.2) : null);
		}
	}

	private static String target(String backend) {
		return backend.equals("local") ? "< 1 ms" : "≤ 1.20";
	}

	private Samples ours(String backend) throws InterruptedException {
		BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
		try (Store store = BenchServers.open(backend, "bench-watch-ours")) {
			store.put("w/k", "start");
			BlockingQueue<Boolean> started = new LinkedBlockingQueue<>();
			try (Watch watch = store.watch("w/k", (event) -> {
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
					store.put("w/k", value(i));
					Long arrival = arrivals.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
					if (arrival == null) {
						throw new IllegalStateException("put " + i + " was not delivered within " + TIMEOUT_MILLIS + " ms");
					}
					if (i >= this.warmup) {
						samples.add(arrival - start);
					}
				}
				return samples;
			}
		}
	}

	private Samples raw(String backend) throws Exception {
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
