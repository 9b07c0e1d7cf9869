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
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>
 * Under load ({@link #underLoad}): the same samples while other keys of the watched
 * namespace are written in the background at 100 and 1,000 puts/s and at the highest rate
 * the backend sustains here, beside the plain raw watch and the fair one
 * ({@link RawWatch}), each under the same load on its own keys.
 */
public final class WatchLatency {

	private static final long TIMEOUT_MILLIS = 10_000;

	/** Each side's samples at one rate are taken in this many chunks, the sides round-robin. */
	private static final int CHUNKS = 5;

	/** The fixed load rates (puts/s), below the sustained one. */
	private static final double[] RATES = { 100, 1_000 };

	/** How long the closed loop runs that finds the sustained rate. */
	private static final long SUSTAINED_MILLIS = 1_500;

	private static final AtomicInteger VALUES = new AtomicInteger();

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
		Samples raw = null;
		String rawError = null;
		if (backend.equals("local")) {
			if (oursAvailable) {
				try {
					ours = Bounded.call("watch latency " + backend, Duration.ofSeconds(90), () -> ours(backend, "w/k", puts));
				}
				catch (Exception ex) {
					oursError = ex.toString();
				}
			}
		}
		else if (oursAvailable) {
			try {
				List<Samples> both = Bounded.call("watch latency " + backend, Duration.ofSeconds(120), () -> interleaved(backend));
				ours = both.get(0);
				raw = both.get(1);
			}
			catch (Exception ex) {
				oursError = ex.toString();
				rawError = "not measured: ours failed";
			}
		}
		else {
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
		if (oursAvailable && !backend.equals("local")) {
			try {
				Bounded.call("watch latency under load " + backend, Duration.ofSeconds(300), () -> {
					underLoad(backend, report);
					return null;
				});
			}
			catch (Exception ex) {
				report.failed(backend, "watch p99 under load (ms)", "≤ 1.20 fair, max/100 ≤ 2.00", ex.toString());
			}
		}
	}

	/** One side of a latency-under-load measurement: a watch of one key, its writes, and its load writer. */
	private interface Side extends AutoCloseable {

		void drain();

		void put(byte[] value) throws Exception;

		/** The arrival time of the next event of the watched key, -1 after the timeout. */
		long next(long timeoutMillis) throws InterruptedException;

		WriteLoad.Writer loader();

	}

	/**
	 * Put → event latency while a {@link WriteLoad} writes other keys of the watched
	 * namespace, for ours, the plain raw watch and the fair raw watch; at each rate the
	 * sides take their samples in {@value #CHUNKS} chunks round-robin, each chunk under a
	 * load of its own on its own keys. The sustained rate is found first: a closed loop of
	 * the load's writers on our store (so all three sides can be given it).
	 */
	private void underLoad(String backend, Report report) throws Exception {
		List<Side> sides = new ArrayList<>();
		try {
			sides.add(new OursSide(backend));
			sides.add(new RawSide(RawWatch.open(backend, false)));
			if (RawWatch.hasFair(backend)) {
				sides.add(new RawSide(RawWatch.open(backend, true)));
			}
			// Warm every side up without load.
			for (Side side : sides) {
				sample(side, this.warmup, null);
			}
			double sustained = WriteLoad.sustained(sides.get(0).loader(), SUSTAINED_MILLIS);
			report.note(backend + " watch under load: sustained rate " + Report.format(sustained, 0)
					+ " puts/s (a closed loop of 4 writers on a store of the namespace for " + SUSTAINED_MILLIS + " ms)");
			List<Double> rates = new ArrayList<>();
			for (double rate : RATES) {
				// A fixed rate near the sustained one would measure the same thing twice.
				if (rate < 0.8 * sustained) {
					rates.add(rate);
				}
			}
			rates.add(sustained);
			Samples lowest = null;
			Samples lowestFair = null;
			for (double rate : rates) {
				List<Samples> samples = new ArrayList<>();
				double[] achieved = new double[sides.size()];
				for (int s = 0; s < sides.size(); s++) {
					samples.add(new Samples(this.samples));
				}
				for (int chunk = 0; chunk < CHUNKS; chunk++) {
					for (int s = 0; s < sides.size(); s++) {
						Side side = sides.get(s);
						try (WriteLoad load = new WriteLoad(side.loader(), rate)) {
							sample(side, Math.max(1, this.warmup / CHUNKS), null);
							sample(side, this.samples / CHUNKS, samples.get(s));
							load.close();
							achieved[s] += load.rate() / CHUNKS;
							if (load.failures() > 0) {
								report.note(backend + " watch under load: " + load.failures() + " load writes failed at " + Report.format(rate, 0) + " puts/s");
							}
						}
					}
				}
				Samples ours = samples.get(0);
				Samples raw = samples.get(1);
				Samples fair = samples.get(samples.size() - 1);
				String at = " at " + String.format(java.util.Locale.ROOT, "%,.0f", rate) + " puts/s";
				for (int p : new int[] { 50, 99 }) {
					Interval ratio = Interval.percentileRatio(ours, fair, p);
					String reference = Report.format(raw.percentileMillis(p), 2) + " raw, " + Report.format(fair.percentileMillis(p), 2)
							+ (RawWatch.hasFair(backend) ? " fair" : " fair (= raw)");
					report.add(backend, "watch p" + p + at + " (ms)", Report.format(ours.percentileMillis(p), 2), reference, ratio,
							(p == 99) ? "≤ 1.20 fair" : "-", (p == 99) ? ratio.verdict(1.2, true) : null);
				}
				report.note(String.format(java.util.Locale.ROOT, "%s watch under load%s: achieved %s puts/s ours, %s raw%s", backend, at,
						Report.format(achieved[0], 0), Report.format(achieved[1], 0),
						RawWatch.hasFair(backend) ? ", " + Report.format(achieved[2], 0) + " fair" : ""));
				if (lowest == null) {
					lowest = ours;
					lowestFair = fair;
				}
				else if (rate == sustained) {
					Interval growth = Interval.percentileRatio(ours, lowest, 99);
					report.add(backend, "watch p99 at " + String.format(java.util.Locale.ROOT, "%,.0f", sustained) + " / at "
							+ String.format(java.util.Locale.ROOT, "%,.0f", rates.get(0)) + " puts/s", Report.ratio(growth.value()),
							Report.ratio(fair.percentileMillis(99) / lowestFair.percentileMillis(99)) + " fair", growth, "≤ 2.00",
							growth.verdict(2.0, true));
				}
			}
		}
		finally {
			for (Side side : sides) {
				side.close();
			}
		}
	}

	/**
	 * Put → event latency with no load, ours and the plain raw watch taking their samples in
	 * {@value #CHUNKS} chunks round-robin on the same warmed clients, so a slow spell of the
	 * machine falls on both sides.
	 * @return ours' samples, then the raw watch's
	 */
	private List<Samples> interleaved(String backend) throws Exception {
		List<Side> sides = new ArrayList<>();
		try {
			sides.add(new OursSide(backend));
			sides.add(new RawSide(RawWatch.open(backend, false)));
			List<Samples> samples = new ArrayList<>();
			for (Side side : sides) {
				sample(side, this.warmup, null);
				samples.add(new Samples(this.samples));
			}
			for (int chunk = 0; chunk < CHUNKS; chunk++) {
				for (int s = 0; s < sides.size(); s++) {
					sample(sides.get(s), Math.max(1, this.warmup / CHUNKS), null);
					sample(sides.get(s), this.samples / CHUNKS, samples.get(s));
				}
			}
			return samples;
		}
		finally {
			for (Side side : sides) {
				side.close();
			}
		}
	}

	private static void sample(Side side, int count, @Nullable Samples into) throws Exception {
		for (int i = 0; i < count; i++) {
			side.drain();
			long start = System.nanoTime();
			side.put(value(VALUES.incrementAndGet()));
			long arrival = side.next(TIMEOUT_MILLIS);
			if (arrival < 0) {
				throw new IllegalStateException("a put under load was not delivered within " + TIMEOUT_MILLIS + " ms");
			}
			if (into != null) {
				into.add(arrival - start);
			}
		}
	}

	/** Ours: a store's watch of {@code w/k}, put by that store; the load written by a second store of the namespace. */
	private static final class OursSide implements Side {

		private final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();

		private final Store store;

		private final Store loadStore;

		private final Watch watch;

		OursSide(String backend) throws InterruptedException {
			this.store = BenchServers.open(backend, "bench-watch-load");
			this.loadStore = BenchServers.open(backend, "bench-watch-load");
			this.store.put(RawWatch.KEY, "start");
			BlockingQueue<Boolean> started = new LinkedBlockingQueue<>();
			this.watch = this.store.watch(RawWatch.KEY, (event) -> {
				if (event instanceof WatchEvent.Put) {
					this.arrivals.add(System.nanoTime());
				}
				else if (event instanceof WatchEvent.Snapshot) {
					started.add(true);
				}
			});
			if (started.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) == null) {
				close();
				throw new IllegalStateException("no first snapshot within " + TIMEOUT_MILLIS + " ms");
			}
		}

		@Override
		public void drain() {
			this.arrivals.clear();
		}

		@Override
		public void put(byte[] value) {
			this.store.put(RawWatch.KEY, value);
		}

		@Override
		public long next(long timeoutMillis) throws InterruptedException {
			Long arrival = this.arrivals.poll(timeoutMillis, TimeUnit.MILLISECONDS);
			return (arrival != null) ? arrival : -1;
		}

		@Override
		public WriteLoad.Writer loader() {
			return (n, value) -> this.loadStore.put(RawWatch.loadKey(n), value);
		}

		@Override
		public void close() {
			this.watch.close();
			this.loadStore.close();
			this.store.close();
		}

	}

	/** A raw watch, plain or fair. */
	private record RawSide(RawWatch watch) implements Side {

		@Override
		public void drain() {
			this.watch.drain();
		}

		@Override
		public void put(byte[] value) throws Exception {
			this.watch.put(value);
		}

		@Override
		public long next(long timeoutMillis) throws InterruptedException {
			return this.watch.next(timeoutMillis);
		}

		@Override
		public WriteLoad.Writer loader() {
			return this.watch::load;
		}

		@Override
		public void close() {
			this.watch.close();
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
