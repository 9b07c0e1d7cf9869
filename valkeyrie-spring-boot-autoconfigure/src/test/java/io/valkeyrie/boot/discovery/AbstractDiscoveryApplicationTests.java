package io.valkeyrie.boot.discovery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.test.Timing;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.health.DiscoveryClientHealthIndicator;
import org.springframework.cloud.client.loadbalancer.LoadBalancerClient;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Discovery end to end on one backend, against its real server: two instances of a
 * service register when their web servers start; a third application sees both through
 * its {@link DiscoveryClient} (and its {@link ReactiveDiscoveryClient}) and reaches both
 * through Spring Cloud LoadBalancer; Spring Cloud's discovery health indicator of an
 * instance is {@code UP} and lists the service. An instance taken out of service through the actuator
 * {@code serviceregistry} endpoint leaves the view, and comes back. One instance is killed with SIGKILL (a separate JVM)
 * and disappears within its TTL plus one renewal; the other shuts down cleanly and
 * disappears at once, well before its TTL.
 */
abstract class AbstractDiscoveryApplicationTests {

	/**
	 * Long enough that "at once" (a clean shutdown, including closing its context on a busy
	 * machine) and "when the keep-alive lapses" cannot be confused.
	 */
	private static final Duration TTL = Duration.ofSeconds(10);

	private static final String SERVICE = "orders";

	private final String namespace = "discovery-test/" + UUID.randomUUID();

	private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	private final List<Process> processes = new CopyOnWriteArrayList<>();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	/** The {@code valkeyrie.*} properties that select this backend and its server. */
	protected abstract Map<String, String> backendProperties();

	/**
	 * Start an instance that is then made to crash, returning how to crash it: by default
	 * a separate JVM, killed with SIGKILL.
	 */
	protected Runnable startCrashingInstance(Map<String, String> properties) throws Exception {
		Process process = startJvm(properties);
		return () -> {
			process.destroyForcibly();
			try {
				assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed JVM exited").isTrue();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		};
	}

	@AfterEach
	void cleanUp() {
		this.processes.forEach(Process::destroyForcibly);
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void instancesAreDiscoveredBalancedAndLeaveOnCrashAndOnShutdown() throws Exception {
		ConfigurableApplicationContext clean = start(instanceProperties("clean"), WebApplicationType.SERVLET);
		Runnable crash = startCrashingInstance(instanceProperties("crashing"));
		Map<String, String> observerProperties = commonProperties();
		// The view is already in memory and current; LoadBalancer's own cache would only lag behind it.
		observerProperties.put("spring.cloud.loadbalancer.cache.enabled", "false");
		ConfigurableApplicationContext observer = start(observerProperties, WebApplicationType.NONE);
		List<HeartbeatEvent> heartbeats = new CopyOnWriteArrayList<>();
		observer.addApplicationListener((ApplicationListener<HeartbeatEvent>) heartbeats::add);
		DiscoveryClient discovery = observer.getBean(DiscoveryClient.class);

		ReactiveDiscoveryClient reactive = observer.getBean(ReactiveDiscoveryClient.class);
		await().atMost(Timing.seconds(30)).until(() -> ids(discovery), (ids) -> ids.equals(Set.of("clean", "crashing")));
		assertThat(discovery.getServices()).contains(SERVICE);
		assertThat(ids(reactive)).isEqualTo(Set.of("clean", "crashing"));
		assertThat(reactive.getServices().collectList().block(Duration.ofSeconds(10))).contains(SERVICE);
		reactive.reactiveProbe().block(Duration.ofSeconds(10));
		// Spring Cloud's discovery health indicator of a registered instance probes the store through our client.
		Health health = clean.getBean(DiscoveryClientHealthIndicator.class).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsKey("services");
		assertThat(health.getDetails().get("services")).asInstanceOf(InstanceOfAssertFactories.LIST).contains(SERVICE);
		for (ServiceInstance instance : discovery.getInstances(SERVICE)) {
			assertThat(instance.getHost()).isEqualTo("127.0.0.1");
			assertThat(instance.getMetadata()).containsEntry("zone", "zone-a").containsEntry("team", "checkout");
			assertThat(get(instance.getUri().resolve("/instance"))).isEqualTo(instance.getInstanceId());
		}

		LoadBalancerClient loadBalancer = observer.getBean(LoadBalancerClient.class);
		Set<String> reached = ConcurrentHashMap.newKeySet();
		await().atMost(Timing.seconds(10)).until(() -> {
			ServiceInstance chosen = loadBalancer.choose(SERVICE);
			reached.add(get(chosen.getUri().resolve("/instance")));
			return reached.equals(Set.of("clean", "crashing"));
		});

		String actuator = "http://127.0.0.1:" + clean.getEnvironment().getProperty("local.server.port")
				+ "/actuator/serviceregistry";
		assertThat(get(URI.create(actuator))).contains("UP");
		post(URI.create(actuator), "{\"status\":\"OUT_OF_SERVICE\"}");
		await().atMost(Timing.seconds(10)).until(() -> ids(discovery), (ids) -> ids.equals(Set.of("crashing")));
		assertThat(get(URI.create(actuator))).contains("OUT_OF_SERVICE");
		post(URI.create(actuator), "{\"status\":\"UP\"}");
		await().atMost(Timing.seconds(10)).until(() -> ids(discovery), (ids) -> ids.equals(Set.of("clean", "crashing")));

		int heartbeatsBeforeCrash = heartbeats.size();
		long crashedAt = System.nanoTime();
		crash.run();
		// Gone once its keep-alive lapses: the TTL after the last renewal, which is at most one TTL earlier.
		Duration bound = TTL.plus(TTL).plus(Timing.seconds(3));
		await().atMost(Timing.scaled(bound)).until(() -> ids(discovery), (ids) -> ids.equals(Set.of("clean")));
		assertThat(Duration.ofNanos(System.nanoTime() - crashedAt)).isLessThan(Timing.scaled(bound));
		assertThat(heartbeats.size()).as("heartbeat events after the crash").isGreaterThan(heartbeatsBeforeCrash);
		assertThat(ids(reactive)).isEqualTo(Set.of("clean"));

		long closedAt = System.nanoTime();
		clean.close();
		await().atMost(Timing.seconds(30)).until(() -> ids(discovery), Set::isEmpty);
		assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).as("a clean shutdown deregisters at once")
			.isLessThan(Timing.scaled(TTL.dividedBy(2)));
		assertThat(discovery.getServices()).doesNotContain(SERVICE);
	}

	/** What every application of the test shares: backend, namespace, discovery settings. */
	protected Map<String, String> commonProperties() {
		Map<String, String> properties = new LinkedHashMap<>(backendProperties());
		properties.put("valkeyrie.namespace", this.namespace);
		properties.put("valkeyrie.discovery.ttl", TTL.toMillis() + "ms");
		// Generous: several JVMs start at once on a machine shared with other builds.
		properties.put("valkeyrie.request-timeout", "10s");
		properties.put("valkeyrie.connect-timeout", "10s");
		properties.put("spring.main.banner-mode", "off");
		properties.put("server.port", "0");
		properties.put("server.address", "127.0.0.1");
		return properties;
	}

	private Map<String, String> instanceProperties(String instanceId) {
		Map<String, String> properties = commonProperties();
		properties.put("spring.application.name", SERVICE);
		properties.put("valkeyrie.discovery.instance-id", instanceId);
		properties.put("valkeyrie.discovery.hostname", "127.0.0.1");
		properties.put("valkeyrie.discovery.zone", "zone-a");
		properties.put("valkeyrie.discovery.metadata.team", "checkout");
		properties.put("management.endpoints.web.exposure.include", "serviceregistry");
		return properties;
	}

	/** Start an application in this JVM. */
	protected final ConfigurableApplicationContext start(Map<String, String> properties, WebApplicationType type) {
		List<String> pairs = new ArrayList<>();
		properties.forEach((name, value) -> pairs.add(name + "=" + value));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(DiscoveryApplication.class).web(type)
			.properties(pairs.toArray(String[]::new))
			.run();
		this.contexts.add(context);
		return context;
	}

	/** Start the application in a separate JVM and wait until it has registered. */
	private Process startJvm(Map<String, String> properties) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				DiscoveryApplication.class.getName()));
		properties.forEach((name, value) -> command.add("--" + name + "=" + value));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		this.processes.add(process);
		StringBuffer output = new StringBuffer();
		CompletableFuture<String> registered = new CompletableFuture<>();
		Thread drain = new Thread(() -> {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					output.append(line).append('\n');
					if (line.startsWith(DiscoveryApplication.REGISTERED)) {
						registered.complete(line.substring(DiscoveryApplication.REGISTERED.length()));
					}
				}
				registered.completeExceptionally(new AssertionError("The JVM ended before registering:\n" + output));
			}
			catch (IOException ex) {
				registered.completeExceptionally(new UncheckedIOException(ex));
			}
		}, "discovery-child-output");
		drain.setDaemon(true);
		drain.start();
		try {
			registered.get(Timing.seconds(90).toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (java.util.concurrent.TimeoutException ex) {
			throw new AssertionError("The JVM did not register in time:\n" + output, ex);
		}
		return process;
	}

	/** The store of an application started in this JVM. */
	protected static Store store(ConfigurableApplicationContext context) {
		return context.getBean(Store.class);
	}

	private static Set<String> ids(ReactiveDiscoveryClient discovery) {
		return new HashSet<>(discovery.getInstances(SERVICE)
			.map(ServiceInstance::getInstanceId)
			.collectList()
			.block(Duration.ofSeconds(10)));
	}

	private static Set<String> ids(DiscoveryClient discovery) {
		Set<String> ids = ConcurrentHashMap.newKeySet();
		discovery.getInstances(SERVICE).forEach((instance) -> ids.add(instance.getInstanceId()));
		return ids;
	}

	private String get(URI uri) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET " + uri).isEqualTo(200);
		return response.body();
	}

	private void post(URI uri, String json) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri)
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("POST " + uri).isBetween(200, 299);
	}

}
