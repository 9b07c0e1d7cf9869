package io.valkeyrie.boot.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.local.LocalStore;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ValkeyrieServiceRegistry}, {@link ValkeyrieServiceCatalog} and the
 * discovery clients on a local store: what is written, what is read back, what is ignored.
 */
class ValkeyrieServiceRegistryTests {

	private final List<HeartbeatEvent> heartbeats = new CopyOnWriteArrayList<>();

	private Store store;

	private ValkeyrieServiceRegistry registry;

	private ValkeyrieServiceCatalog catalog;

	@BeforeEach
	void open() {
		this.store = LocalStore.builder().name("registry-" + UUID.randomUUID()).open();
		this.registry = new ValkeyrieServiceRegistry(this.store, "services", Duration.ofSeconds(5));
		this.catalog = new ValkeyrieServiceCatalog(this.store, "services",
				(event) -> this.heartbeats.add((HeartbeatEvent) event), Duration.ofSeconds(5));
		this.catalog.start();
	}

	@AfterEach
	void close() {
		this.catalog.stop();
		this.store.close();
	}

	@Test
	void anInstanceIsOneJsonKeyPerServiceAndInstance() {
		this.registry.register(registration("orders", "a", 8080, Map.of("team", "checkout")));
		JsonNode json = JsonMapper.builder().build().readTree(this.store.get("services/orders/a").value());
		assertThat(json.get("host").asString()).isEqualTo("10.0.0.1");
		assertThat(json.get("port").asInt()).isEqualTo(8080);
		assertThat(json.get("secure").asBoolean()).isFalse();
		assertThat(json.get("zone").asString()).isEqualTo("zone-a");
		assertThat(json.get("status").asString()).isEqualTo("UP");
		assertThat(json.get("metadata").get("team").asString()).isEqualTo("checkout");
		assertThat(json.get("metadata").has("zone")).as("the zone is stored once").isFalse();
	}

	@Test
	void registeredInstancesAreDiscoveredAndDeregisteredOnesLeave() {
		ValkeyrieDiscoveryClient client = new ValkeyrieDiscoveryClient(this.catalog, 0);
		ValkeyrieRegistration a = registration("orders", "a", 8080, Map.of());
		this.registry.register(a);
		this.registry.register(registration("orders", "b", 8081, Map.of()));
		this.registry.register(registration("billing", "c", 9090, Map.of()));
		await().atMost(Timing.seconds(5)).until(() -> client.getInstances("orders").size() == 2);
		assertThat(client.getServices()).containsExactly("billing", "orders");
		ServiceInstance first = client.getInstances("orders").get(0);
		assertThat(first.getInstanceId()).isEqualTo("a");
		assertThat(first.getUri()).hasToString("http://10.0.0.1:8080");
		assertThat(first.getMetadata()).containsEntry("zone", "zone-a");
		this.registry.deregister(a);
		this.registry.deregister(a);
		await().atMost(Timing.seconds(5)).until(() -> client.getInstances("orders").size() == 1);
		assertThat(client.getInstances("unknown")).isEmpty();
		client.probe();
	}

	@Test
	void anInstanceOutOfServiceIsRegisteredButNotDiscovered() {
		ValkeyrieRegistration a = registration("orders", "a", 8080, Map.of());
		this.registry.register(a);
		assertThat(this.registry.<String>getStatus(a)).isEqualTo("UP");
		this.registry.setStatus(a, "out_of_service");
		assertThat(this.registry.<String>getStatus(a)).isEqualTo("OUT_OF_SERVICE");
		await().atMost(Timing.seconds(5))
			.untilAsserted(() -> assertThat(this.catalog.getAllInstances("orders")).singleElement()
				.satisfies((instance) -> assertThat(instance.getStatus()).isEqualTo("OUT_OF_SERVICE")));
		assertThat(this.catalog.getInstances("orders")).isEmpty();
		assertThat(this.catalog.getServices()).containsExactly("orders");
		this.registry.setStatus(a, "UP");
		await().atMost(Timing.seconds(5)).until(() -> this.catalog.getInstances("orders").size() == 1);
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.setStatus(a, "DOWN"))
			.withMessageContaining("'DOWN'");
	}

	@Test
	void theStatusOfAnUnregisteredInstanceIsNull() {
		assertThat(this.registry.<String>getStatus(registration("orders", "x", 8080, Map.of()))).isNull();
	}

	@Test
	void badRegistrationsAndSettingsAreRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.registry.register(registration("orders", "a", 0, Map.of())))
			.withMessageContaining("without a port");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.registry.register(registration("shop/orders", "a", 80, Map.of())))
			.withMessageContaining("'shop/orders'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ValkeyrieServiceRegistry(this.store, "services", Duration.ofNanos(1)))
			.withMessageContaining("minimum TTL");
	}

	@Test
	void otherKeysBelowTheRootAreIgnored() {
		this.store.put("services/orders", "not an instance");
		this.store.put("services/orders/a/extra", "too deep");
		this.store.put("services/orders/broken", "{not json");
		this.store.put("services/orders/partial", "{\"host\":\"h\"}");
		this.registry.register(registration("orders", "ok", 8080, Map.of()));
		await().atMost(Timing.seconds(5)).until(() -> this.catalog.getInstances("orders").size() == 1);
		assertThat(this.catalog.getInstances("orders")).extracting(ServiceInstance::getInstanceId).containsExactly("ok");
	}

	@Test
	void everyChangePublishesAHeartbeatWithAGrowingValue() {
		int before = this.heartbeats.size();
		ValkeyrieRegistration a = registration("orders", "a", 8080, Map.of());
		this.registry.register(a);
		await().atMost(Timing.seconds(5)).until(() -> this.heartbeats.size() == before + 1);
		this.registry.register(a);
		this.registry.deregister(a);
		await().atMost(Timing.seconds(5)).until(() -> this.heartbeats.size() == before + 2);
		// Rewriting an unchanged record changes nothing a reader sees, so it is not a heartbeat.
		assertThat(this.heartbeats).extracting(HeartbeatEvent::getValue)
			.isSortedAccordingTo((x, y) -> Long.compare((Long) x, (Long) y))
			.doesNotHaveDuplicates();
		assertThat(this.catalog.getGeneration()).isEqualTo(this.heartbeats.get(this.heartbeats.size() - 1).getValue());
	}

	@Test
	void theReactiveClientServesTheSameView() {
		ValkeyrieReactiveDiscoveryClient client = new ValkeyrieReactiveDiscoveryClient(this.catalog, 0);
		this.registry.register(registration("orders", "a", 8080, Map.of()));
		await().atMost(Timing.seconds(5)).until(() -> this.catalog.getInstances("orders").size() == 1);
		assertThat(client.getInstances("orders").map(ServiceInstance::getInstanceId).collectList().block())
			.containsExactly("a");
		assertThat(client.getServices().collectList().block()).containsExactly("orders");
		client.reactiveProbe().block(Duration.ofSeconds(5));
	}

	private static ValkeyrieRegistration registration(String service, String instance, int port,
			Map<String, String> metadata) {
		return new ValkeyrieRegistration(service, instance, "10.0.0.1", port, false, "zone-a", metadata);
	}

}
