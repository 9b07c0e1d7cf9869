package io.valkeyrie.boot.autoconfigure;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.test.FreezingProxy;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an application logs while its backend is down for a few seconds (a proxy in front
 * of the test server cuts every connection and refuses new ones): one WARN when the store
 * loses its servers, one INFO with the outage's length when they are back, no stack
 * traces, and nothing from the client libraries.
 */
@ExtendWith(OutputCaptureExtension.class)
class OutageLoggingTests {

	private static final Pattern LOG_LINE = Pattern.compile("^\\S+\\s+(TRACE|DEBUG|INFO|WARN|ERROR)\\s+\\d+ --- .*");

	private static final Duration OUTAGE = Duration.ofSeconds(5);

	/**
	 * With calls during the outage, and without (the store's own background work, a watch,
	 * notices the outage and its end).
	 */
	@ParameterizedTest(name = "{0}, calls: {1}")
	@CsvSource({ "zookeeper, true", "etcd, true", "redis, true", "consul, true", "zookeeper, false", "etcd, false",
			"redis, false", "consul, false" })
	void anOutageLogsOneWarningAndOneInfoWithItsLength(String backend, boolean calls, CapturedOutput output)
			throws Exception {
		String endpoint = TestServers.endpoint(backend);
		InetSocketAddress server = TestServers.address(endpoint);
		String target = server.getHostString() + ":" + server.getPort();
		try (FreezingProxy proxy = new FreezingProxy(target)) {
			assertOneWarningAndOneInfo(backend, endpoint.replace(target, proxy.endpoint()), proxy::cut, proxy::restore,
					calls, output, "valkeyrie.request-timeout=" + (backend.equals("etcd") ? "10s" : "3s"));
		}
	}

	/** The case of the issue: the ZooKeeper server itself stopped (its socket closed, connections refused). */
	@Test
	void aStoppedZookeeperServerLogsOneWarningAndOneInfo(CapturedOutput output) throws Exception {
		String endpoint = TestServers.endpoint("zookeeper");
		try {
			// Stopping and starting take seconds: a session that outlives them keeps this an outage, not an expiry.
			assertOneWarningAndOneInfo("zookeeper", endpoint, () -> TestServers.stop("zookeeper"),
					() -> TestServers.start("zookeeper"), true, output, "valkeyrie.request-timeout=3s",
					"valkeyrie.zookeeper.options.session-timeout=40s");
		}
		finally {
			TestServers.start("zookeeper");
		}
	}

	/** (etcd: the first gRPC channel of a JVM takes seconds to set up on a busy machine, so a longer request timeout.) */
	private static void assertOneWarningAndOneInfo(String backend, String endpoint, Runnable stop, Runnable start,
			boolean calls, CapturedOutput output, String... properties) throws InterruptedException {
		List<String> all = new java.util.ArrayList<>(List.of("valkeyrie.backend=" + backend,
				"valkeyrie." + backend + ".endpoints=" + endpoint, "valkeyrie.namespace=outage-" + UUID.randomUUID()));
		all.addAll(List.of(properties));
		try (ConfigurableApplicationContext context = LoggingTests.start(all.toArray(String[]::new))) {
			Store store = context.getBean(Store.class);
			Watch watch = store.watchTree("watched", (event) -> {
			});
			store.put("watched/k", "v");
			int before = output.length();
			stop.run();
			long end = System.nanoTime() + Timing.scaled(OUTAGE).toNanos();
			while (System.nanoTime() < end) {
				// What an application does meanwhile: calls that fail within the request timeout (or none).
				if (calls) {
					exists(store);
				}
				Thread.sleep(100);
			}
			await().atMost(Timing.seconds(10)).until(() -> output.toString().contains("cannot reach its servers"));
			start.run();
			// The client's own reconnect back-off (gRPC's grows past 6 s after a 5 s outage) plus a
			// request timeout of a call in flight, on a loaded machine: seen at 37 s for etcd.
			await().atMost(Timing.seconds(90))
				.until(() -> output.toString().substring(before).contains("reaches its servers again after"));
			assertThat(exists(store)).isTrue();
			watch.close();
			List<String> lines = output.toString().substring(before).lines().toList();
			List<String> logged = lines.stream().filter((line) -> LOG_LINE.matcher(line).matches()).toList();
			assertThat(logged).as("log lines of the outage").hasSize(2);
			assertThat(logged.get(0)).contains(" WARN ")
				.contains("Reachability")
				.contains("The " + backend + " store (namespace 'outage-")
				.contains("cannot reach its servers");
			assertThat(logged.get(1)).contains(" INFO ")
				.contains("Reachability")
				.containsPattern("The " + backend + " store \\(.*\\) reaches its servers again after \\d+(\\.\\d)?s$");
			assertThat(lines).as("stack traces").noneMatch((line) -> line.startsWith("\tat ") || line.startsWith("Caused by"));
		}
	}

	private static boolean exists(Store store) {
		try {
			store.exists("k");
			return true;
		}
		catch (StoreException ex) {
			return false;
		}
	}

}
