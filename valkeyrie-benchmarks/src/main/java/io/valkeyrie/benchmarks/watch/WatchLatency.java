package io.valkeyrie.benchmarks.watch;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.benchmarks.BenchServers;
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

	/** Measure one backend and add its rows. */
	public void run(String backend, Report report) {
		Samples ours;
		try {
			ours = ours(backend);
		}
		catch (Exception ex) {
			report.failed(backend, "watch put→event p99 (ms)", target(backend), ex.toString());
			return;
		}
		Samples raw = null;
		String rawError = null;
		if (!backend.equals("local")) {
			try {
				raw = raw(backend);
			}
			catch (Exception ex) {
				rawError = ex.toString();
			}
		}
		double ours50 = ours.percentileMillis(50);
		double ours99 = ours.percentileMillis(99);
		if (raw == null) {
			String reference = (rawError != null) ? "raw failed: " + rawError : "-";
			report.add(backend, "watch put→event p50 (ms)", Report.format(ours50, 2), "-", Double.NaN, "-", null);
			report.add(backend, "watch put→event p99 (ms)", Report.format(ours99, 2), reference, Double.NaN, target(backend),
					backend.equals("local") ? ours99 < 1.0 : null);
			return;
		}
		double raw50 = raw.percentileMillis(50);
		double raw99 = raw.percentileMillis(99);
		report.add(backend, "watch put→event p50 (ms)", Report.format(ours50, 2), Report.format(raw50, 2) + " raw watch",
				ours50 / raw50, "-", null);
		report.add(backend, "watch put→event p99 (ms)", Report.format(ours99, 2), Report.format(raw99, 2) + " raw watch",
				ours99 / raw99, target(backend), ours99 / raw99 <= 1.2);
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
