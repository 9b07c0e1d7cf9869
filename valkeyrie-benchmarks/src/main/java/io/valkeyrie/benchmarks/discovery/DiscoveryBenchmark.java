package io.valkeyrie.benchmarks.discovery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.benchmarks.JmhSuite;
import io.valkeyrie.benchmarks.Profile;
import io.valkeyrie.boot.discovery.ValkeyrieDiscoveryClient;
import io.valkeyrie.boot.discovery.ValkeyrieRegistration;
import io.valkeyrie.boot.discovery.ValkeyrieServiceCatalog;
import io.valkeyrie.boot.discovery.ValkeyrieServiceRegistry;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.local.LocalStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import org.springframework.cloud.client.ServiceInstance;

/**
 * {@code DiscoveryClient.getInstances} served from the watched view: 20 services of 10
 * instances each, registered through the registry and seen through the watch. No call
 * reaches the server, so the backend does not matter and the local store is used. The
 * target is at least 1,000,000 calls per second on one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DiscoveryBenchmark {

	private static final int SERVICES = 20;

	private static final int INSTANCES = 10;

	private static final String[] SERVICE_IDS = new String[SERVICES];

	static {
		for (int s = 0; s < SERVICES; s++) {
			SERVICE_IDS[s] = "service-" + s;
		}
	}

	private Store store;

	private ValkeyrieServiceCatalog catalog;

	private ValkeyrieDiscoveryClient client;

	private int next;

	@Setup(Level.Trial)
	public void open() {
		this.store = LocalStore.builder().name("bench-discovery-" + UUID.randomUUID()).open();
		ValkeyrieServiceRegistry registry = new ValkeyrieServiceRegistry(this.store, "services", Duration.ofSeconds(10));
		for (int s = 0; s < SERVICES; s++) {
			for (int i = 0; i < INSTANCES; i++) {
				registry.register(new ValkeyrieRegistration("service-" + s, "instance-" + i, "10.0.0." + i, 8080 + s,
						false, "zone-" + (i % 2), Map.of("version", "1")));
			}
		}
		this.catalog = new ValkeyrieServiceCatalog(this.store, "services", null, Duration.ofSeconds(10));
		this.catalog.start();
		this.client = new ValkeyrieDiscoveryClient(this.catalog, 0);
		if (this.client.getServices().size() != SERVICES || this.client.getInstances("service-0").size() != INSTANCES) {
			throw new IllegalStateException("The view is incomplete: " + this.client.getServices());
		}
	}

	@TearDown(Level.Trial)
	public void close() {
		this.catalog.stop();
		this.store.close();
	}

	/** One lookup of a service's instances, cycling through the services. */
	@Benchmark
	public List<ServiceInstance> getInstances() {
		this.next = (this.next + 1) % SERVICES;
		return this.client.getInstances(SERVICE_IDS[this.next]);
	}

	/**
	 * Run the benchmark alone: {@code java -cp ... io.valkeyrie.benchmarks.discovery.DiscoveryBenchmark}.
	 * With the arguments {@code <profile> <log directory>} it runs the profile's rounds in this
	 * JVM (JMH forks 0) instead and prints {@code @@ key=score} lines for {@code BenchMain}.
	 */
	public static void main(String[] args) throws RunnerException {
		if (args.length == 2) {
			JmhSuite.discovery(Profile.named(args[0]), Path.of(args[1]), 0, (key, score) -> {
				System.out.println("@@ " + key + "=" + score);
				System.out.flush();
			});
			System.exit(0);
		}
		new Runner(new OptionsBuilder().include(DiscoveryBenchmark.class.getName())
			.forks(1)
			.threads(1)
			.warmupIterations(3)
			.warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
			.measurementIterations(5)
			.measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
			.build()).run();
	}

}
