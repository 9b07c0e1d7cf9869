package io.valkeyrie.benchmarks.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.benchmarks.Bounded;
import io.valkeyrie.benchmarks.Interval;
import io.valkeyrie.benchmarks.Report;
import io.valkeyrie.benchmarks.Samples;
import io.valkeyrie.benchmarks.watch.WatchLatency;
import io.valkeyrie.boot.discovery.ValkeyrieDiscoveryClient;
import io.valkeyrie.boot.discovery.ValkeyrieRegistration;
import io.valkeyrie.boot.discovery.ValkeyrieServiceCatalog;
import io.valkeyrie.boot.discovery.ValkeyrieServiceRegistry;
import io.valkeyrie.store.Store;

import org.springframework.cloud.client.ServiceInstance;

/**
 * Register → seen latency: one instance registers through {@link ValkeyrieServiceRegistry}
 * on a store of its own; another, on a second client of the same server, waits until its
 * {@link ValkeyrieDiscoveryClient} (the watched view) returns the new instance. A sample is
 * the time from the start of {@code register} to the first {@code HeartbeatEvent} after
 * which the view holds the instance. Each instance is deregistered (and seen to leave,
 * unmeasured) before the next registers, so the view stays one instance small.
 * <p>
 * The reference, measured in the same run right after: the raw client's put → its own
 * watch's notification ({@link WatchLatency#raw}); on the local backend, which has no raw
 * watch, the store's own {@code Store.watch} ({@link WatchLatency#ours}). Target: p99 ≤
 * 1.2× the raw watch's (the store watch's own target); local p99 &lt; 1 ms.
 */
public final class DiscoveryLatency {

	private static final long TIMEOUT_MILLIS = 10_000;

	private static final String SERVICE = "bench";

	private final int warmup;

	private final int samples;

	public DiscoveryLatency(int warmup, int samples) {
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
		boolean local = backend.equals("local");
		Samples ours = null;
		String oursError = "store unavailable";
		if (oursAvailable) {
			try {
				ours = Bounded.call("discovery latency " + backend, Duration.ofSeconds(120), () -> seen(backend));
			}
			catch (Exception ex) {
				oursError = ex.toString();
			}
		}
		WatchLatency watch = new WatchLatency(this.warmup, this.samples);
		Samples reference = null;
		String referenceError = null;
		if (!local || oursAvailable) {
			try {
				reference = Bounded.call("discovery reference " + backend, Duration.ofSeconds(90),
						() -> local ? watch.ours(backend, "w/discovery-reference") : watch.raw(backend));
			}
			catch (Exception ex) {
				referenceError = ex.toString();
			}
		}
		String label = local ? " store watch" : " raw watch";
		for (int p : new int[] { 50, 99 }) {
			String measure = "discovery register→seen p" + p + " (ms)";
			String target = (p == 99) ? (local ? "< 1 ms" : "≤ 1.20") : "-";
			String referenceColumn = (reference != null) ? Report.format(reference.percentileMillis(p), 2) + label
					: (referenceError != null) ? "reference failed: " + referenceError : "-";
			if (ours == null) {
				report.failed(backend, measure, referenceColumn, target, oursError);
				continue;
			}
			String value = Report.format(ours.percentileMillis(p), 2);
			if (local) {
				// An absolute target: the interval (of the percentile itself, in ms) is shown in the ratio column.
				Interval interval = Interval.percentile(ours, p);
				report.add(backend, measure, value, referenceColumn, interval, target,
						(p == 99) ? interval.verdict(1.0, true) : null);
			}
			else if (reference == null) {
				// A missing reference cannot meet a ratio target.
				report.add(backend, measure, value, referenceColumn, Double.NaN, target, (p == 99) ? false : null);
			}
			else {
				Interval ratio = Interval.percentileRatio(ours, reference, p);
				report.add(backend, measure, value, referenceColumn, ratio, target,
						(p == 99) ? ratio.verdict(1.2, true) : null);
			}
		}
	}

	private Samples seen(String backend) throws InterruptedException {
		// Two clients of the server, as two application instances would have.
		try (Store registering = BenchServers.open(backend, "bench-discovery");
				Store watching = BenchServers.open(backend, "bench-discovery")) {
			Duration ttl = max(Duration.ofSeconds(10), registering.minimumTtl());
			ValkeyrieServiceRegistry registry = new ValkeyrieServiceRegistry(registering, "services", ttl);
			BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
			AtomicReference<Predicate<List<ServiceInstance>>> awaited = new AtomicReference<>((instances) -> false);
			AtomicReference<ValkeyrieDiscoveryClient> client = new AtomicReference<>();
			ValkeyrieServiceCatalog catalog = new ValkeyrieServiceCatalog(watching, "services", (event) -> {
				// Published on the catalog's own thread right after the view changed.
				ValkeyrieDiscoveryClient current = client.get();
				if (current != null && awaited.get().test(current.getInstances(SERVICE))) {
					arrivals.add(System.nanoTime());
				}
			}, Duration.ofSeconds(10));
			client.set(new ValkeyrieDiscoveryClient(catalog, 0));
			catalog.start();
			try {
				if (!catalog.isWatching()) {
					throw new IllegalStateException("the view is not watching after its start");
				}
				Samples samples = new Samples(this.samples);
				for (int i = 0; i < this.warmup + this.samples; i++) {
					ValkeyrieRegistration registration = new ValkeyrieRegistration(SERVICE, "instance-" + i, "10.0.0.1",
							8080, false, "zone-a", Map.of("version", "1"));
					String id = registration.getInstanceId();
					arrivals.clear();
					awaited.set((instances) -> instances.stream().anyMatch((instance) -> instance.getInstanceId().equals(id)));
					long start = System.nanoTime();
					registry.register(registration);
					long arrival = next(arrivals, "registration " + i);
					if (i >= this.warmup) {
						samples.add(arrival - start);
					}
					arrivals.clear();
					awaited.set((instances) -> instances.stream().noneMatch((instance) -> instance.getInstanceId().equals(id)));
					registry.deregister(registration);
					next(arrivals, "deregistration " + i);
				}
				return samples;
			}
			finally {
				catalog.stop();
			}
		}
	}

	private static long next(BlockingQueue<Long> arrivals, String what) throws InterruptedException {
		Long arrival = arrivals.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
		if (arrival == null) {
			throw new IllegalStateException(what + " was not seen within " + TIMEOUT_MILLIS + " ms");
		}
		return arrival;
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

}
