package io.valkeyrie.boot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import io.valkeyrie.boot.event.ValkeyrieKeyChangedEvent;
import io.valkeyrie.boot.lock.ValkeyrieLockRegistry;
import io.valkeyrie.boot.test.LeaderElection;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an application sees with the starter on one backend, against its real server: the
 * {@code Store} bean works, a change made by another client reaches an
 * {@code @EventListener}, the {@code LockRegistry} excludes a second instance, leader
 * events move when the leader's context closes, and {@code /actuator/health} shows the
 * {@code valkeyrie} component UP, and DOWN when the server is stopped.
 * <p>
 * Each backend's subclass adds its settings with a {@code @DynamicPropertySource} and says
 * how to open a second client and how to stop and start its server.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health",
				"management.endpoint.health.show-details=always", "valkeyrie.watch.trees=events",
				"valkeyrie.request-timeout=2s", "valkeyrie.connect-timeout=2s" })
abstract class AbstractValkeyrieApplicationTests {

	private static final String NAMESPACE = "boot-test/" + UUID.randomUUID();

	private final List<Store> clients = new CopyOnWriteArrayList<>();

	@Autowired
	private Store store;

	@Autowired
	private LockRegistry<?> lockRegistry;

	@Autowired
	private ChangeEvents changeEvents;

	@Autowired
	private Environment environment;

	@DynamicPropertySource
	static void namespace(DynamicPropertyRegistry registry) {
		registry.add("valkeyrie.namespace", () -> NAMESPACE);
	}

	/**
	 * The settings of an independent client of the same backend, without a namespace: by
	 * default the backend's test server.
	 */
	protected StoreConfig.Builder secondClient() {
		return StoreConfig.builder(this.store.backend()).endpoints(TestServers.endpoint(this.store.backend()));
	}

	/**
	 * The {@code valkeyrie.*} (or {@code spring.*}) properties of this backend, for the
	 * extra applications of the leader election test.
	 */
	protected abstract Map<String, String> backendProperties();

	/** Make the backend unreachable: by default, stop its test server. */
	protected void stopBackend() {
		TestServers.stop(this.store.backend());
	}

	/** Make the backend reachable again: by default, start its test server. */
	protected void startBackend() {
		TestServers.start(this.store.backend());
	}

	/** Whether the store recovers after {@link #startBackend()} (a closed local store cannot). */
	protected boolean recovers() {
		return true;
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(Store::close);
	}

	@Test
	void storeBeanWorks() {
		assertThat(this.store.namespace()).isEqualTo(NAMESPACE);
		this.store.put("app/greeting", "hello");
		KVPair pair = this.store.get("app/greeting");
		assertThat(pair.valueAsString()).isEqualTo("hello");
		KVPair updated = this.store.atomicPut("app/greeting", "bye".getBytes(), pair, WriteOptions.NONE);
		assertThat(this.store.list("app")).containsExactly(updated);
		this.store.deleteTree("app");
		assertThat(this.store.exists("app/greeting")).isFalse();
	}

	@Test
	void changeByAnotherClientArrivesAtAnEventListener() {
		Store other = open();
		other.put("events/feature", "on");
		await().atMost(Timing.seconds(10))
			.untilAsserted(() -> assertThat(this.changeEvents.events).anySatisfy((event) -> {
				assertThat(event.getType()).isEqualTo(ValkeyrieKeyChangedEvent.Type.PUT);
				assertThat(event.getKey()).isEqualTo("events/feature");
				assertThat(event.getValueAsString()).isEqualTo("on");
			}));
	}

	@Test
	void lockRegistryExcludesASecondInstance() throws Exception {
		assertThat(this.lockRegistry).isInstanceOf(ValkeyrieLockRegistry.class);
		ValkeyrieLockRegistry second = new ValkeyrieLockRegistry(open());
		Lock mine = this.lockRegistry.obtain("exclusive");
		Lock theirs = second.obtain("exclusive");
		assertThat(mine.tryLock(Timing.seconds(2).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		try {
			assertThat(theirs.tryLock(200, TimeUnit.MILLISECONDS)).isFalse();
		}
		finally {
			mine.unlock();
		}
		assertThat(theirs.tryLock(Timing.seconds(5).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		theirs.unlock();
	}

	@Test
	void leadershipMovesWhenTheLeadersContextCloses() {
		Map<String, String> properties = new LinkedHashMap<>(backendProperties());
		properties.put("valkeyrie.namespace", NAMESPACE + "/leader");
		LeaderElection.assertLeadershipMovesWhenTheLeaderCloses(properties);
	}

	@Test
	@DirtiesContext
	void healthIsUpAndDownWhenTheServerIsStopped() throws Exception {
		assertThat(health()).startsWith("200 ").contains("\"status\":\"UP\"").contains("\"backend\":\"" + this.store.backend() + "\"");
		stopBackend();
		try {
			await().atMost(Timing.seconds(15)).untilAsserted(() -> assertThat(health()).startsWith("503 ").contains("\"status\":\"DOWN\""));
		}
		finally {
			startBackend();
		}
		if (recovers()) {
			await().atMost(Timing.seconds(30)).untilAsserted(() -> assertThat(health()).startsWith("200 ").contains("\"status\":\"UP\""));
		}
	}

	/** The store bean, for subclasses. */
	protected final Store store() {
		return this.store;
	}

	private Store open() {
		Store client = Stores.open(secondClient().namespace(NAMESPACE).build());
		this.clients.add(client);
		return client;
	}

	private String health() throws IOException, InterruptedException {
		String port = this.environment.getRequiredProperty("local.server.port");
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		HttpResponse<String> response = client.send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/valkeyrie"))
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
		return response.statusCode() + " " + response.body();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		ChangeEvents changeEvents() {
			return new ChangeEvents();
		}

	}

	static class ChangeEvents {

		final List<ValkeyrieKeyChangedEvent> events = new CopyOnWriteArrayList<>();

		@EventListener(condition = "#event.key.startsWith('events/')")
		void on(ValkeyrieKeyChangedEvent event) {
			this.events.add(event);
		}

	}

}
