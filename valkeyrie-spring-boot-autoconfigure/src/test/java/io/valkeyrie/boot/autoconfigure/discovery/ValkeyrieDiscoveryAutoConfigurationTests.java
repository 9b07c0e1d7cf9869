package io.valkeyrie.boot.autoconfigure.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.discovery.ValkeyrieAutoServiceRegistration;
import io.valkeyrie.boot.discovery.ValkeyrieDiscoveryClient;
import io.valkeyrie.boot.discovery.ValkeyrieReactiveDiscoveryClient;
import io.valkeyrie.boot.discovery.ValkeyrieRegistration;
import io.valkeyrie.boot.discovery.ValkeyrieServiceCatalog;
import io.valkeyrie.boot.discovery.ValkeyrieServiceRegistry;
import io.valkeyrie.store.test.ServerProcess;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ValkeyrieDiscoveryClientAutoConfiguration} and
 * {@link ValkeyrieServiceRegistryAutoConfiguration}.
 */
class ValkeyrieDiscoveryAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValkeyrieAutoConfiguration.class,
				ValkeyrieDiscoveryClientAutoConfiguration.class, ValkeyrieServiceRegistryAutoConfiguration.class,
				AutoServiceRegistrationAutoConfiguration.class, UtilAutoConfiguration.class));

	@Test
	void reactiveDiscoveryClientWhereWebClientIs() {
		this.contextRunner.withPropertyValues("spring.application.name=orders")
			.run((context) -> assertThat(context).hasSingleBean(ValkeyrieReactiveDiscoveryClient.class));
	}

	@Test
	void discoveryRegistryAndAutoRegistrationByDefault() {
		// Without WebFlux (the tests have it, for the problem details handler).
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.web.reactive"))
			.withPropertyValues("spring.application.name=orders").run((context) -> {
			assertThat(context).hasSingleBean(ValkeyrieServiceCatalog.class)
				.hasSingleBean(ValkeyrieDiscoveryClient.class)
				.hasSingleBean(ValkeyrieServiceRegistry.class)
				.hasSingleBean(ValkeyrieRegistration.class)
				.hasSingleBean(ValkeyrieAutoServiceRegistration.class)
				// Reactor is on the test class path (WebFlux is not): that is enough.
				.hasSingleBean(ValkeyrieReactiveDiscoveryClient.class);
			ValkeyrieRegistration registration = context.getBean(ValkeyrieRegistration.class);
			assertThat(registration.getServiceId()).isEqualTo("orders");
			assertThat(registration.getInstanceId()).startsWith("orders-").hasSizeGreaterThan("orders-".length() + 30);
			assertThat(registration.getPort()).isZero();
			ValkeyrieServiceRegistry registry = context.getBean(ValkeyrieServiceRegistry.class);
			assertThat(registry.getRoot()).isEqualTo("services");
			assertThat(registry.getTtl()).isEqualTo(Duration.ofSeconds(10));
		});
	}

	@Test
	void aStoreConnectingInTheBackgroundStartsDiscoveryEmptyAndChecksTheTtlLater() {
		// The registration itself, once the server is up, is in DiscoveryOutageTests.
		this.contextRunner
			.withPropertyValues("spring.application.name=orders", "valkeyrie.backend=redis",
					"valkeyrie.redis.endpoints=redis://127.0.0.1:" + ServerProcess.freePort(), "valkeyrie.fail-fast=false",
					"valkeyrie.connect-timeout=1s", "valkeyrie.discovery.ttl=1ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ValkeyrieServiceRegistry.class).getTtl()).isEqualTo(Duration.ofMillis(1));
				assertThat(context.getBean(ValkeyrieDiscoveryClient.class).getServices()).isEmpty();
			});
	}

	@Test
	void serviceIdWithoutAnApplicationNameIsApplication() {
		this.contextRunner.run((context) -> assertThat(context.getBean(ValkeyrieRegistration.class).getServiceId())
			.isEqualTo("application"));
	}

	@Test
	void propertiesShapeTheRegistration() {
		this.contextRunner
			.withPropertyValues("spring.application.name=orders", "valkeyrie.discovery.service-id=billing",
					"valkeyrie.discovery.instance-id=billing-1", "valkeyrie.discovery.hostname=billing.example",
					"valkeyrie.discovery.port=8443", "valkeyrie.discovery.secure=true",
					"valkeyrie.discovery.zone=eu-1", "valkeyrie.discovery.metadata.version=2",
					"valkeyrie.discovery.root=/apps/registry/", "valkeyrie.discovery.ttl=4s")
			.run((context) -> {
				ValkeyrieRegistration registration = context.getBean(ValkeyrieRegistration.class);
				assertThat(registration.getServiceId()).isEqualTo("billing");
				assertThat(registration.getInstanceId()).isEqualTo("billing-1");
				assertThat(registration.getUri()).hasToString("https://billing.example:8443");
				assertThat(registration.getMetadata()).containsEntry("version", "2").containsEntry("zone", "eu-1");
				ValkeyrieServiceRegistry registry = context.getBean(ValkeyrieServiceRegistry.class);
				assertThat(registry.getRoot()).isEqualTo("apps/registry");
				assertThat(registry.getTtl()).isEqualTo(Duration.ofSeconds(4));
			});
	}

	@Test
	void springCloudDiscoveryDisabledTurnsEverythingOff() {
		this.contextRunner.withPropertyValues("spring.cloud.discovery.enabled=false").run(this::assertNoDiscovery);
	}

	@Test
	void valkeyrieDiscoveryDisabledTurnsEverythingOff() {
		this.contextRunner.withPropertyValues("valkeyrie.discovery.enabled=false").run(this::assertNoDiscovery);
	}

	@Test
	void withoutJacksonThereIsNoDiscovery() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(JsonMapper.class)).run(this::assertNoDiscovery);
	}

	@Test
	void autoRegistrationCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("spring.cloud.service-registry.auto-registration.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(ValkeyrieServiceRegistry.class)
				.hasSingleBean(ValkeyrieDiscoveryClient.class)
				.doesNotHaveBean(ValkeyrieRegistration.class)
				.doesNotHaveBean(ValkeyrieAutoServiceRegistration.class));
	}

	@Test
	void withoutTheWebServerModuleTheRegistryStaysButNothingAutoRegisters() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebServerInitializedEvent.class))
			.run((context) -> assertThat(context).hasSingleBean(ValkeyrieServiceRegistry.class)
				.doesNotHaveBean(ValkeyrieAutoServiceRegistration.class));
	}

	@Test
	void blockingDiscoveryCanBeTurnedOffAlone() {
		this.contextRunner.withPropertyValues("spring.cloud.discovery.blocking.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(ValkeyrieServiceCatalog.class)
				.doesNotHaveBean(ValkeyrieDiscoveryClient.class));
	}

	@Test
	void withoutReactorThereIsNoReactiveClient() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Flux.class))
			.run((context) -> assertThat(context).hasSingleBean(ValkeyrieDiscoveryClient.class)
				.doesNotHaveBean(ValkeyrieReactiveDiscoveryClient.class));
	}

	@Test
	void reactiveDiscoveryCanBeTurnedOffAlone() {
		this.contextRunner.withPropertyValues("spring.cloud.discovery.reactive.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(ValkeyrieDiscoveryClient.class)
				.doesNotHaveBean(ValkeyrieReactiveDiscoveryClient.class));
	}

	@Test
	void theReactiveClientServesTheCatalogsView() {
		this.contextRunner.withPropertyValues("spring.application.name=orders").run((context) -> {
			ValkeyrieReactiveDiscoveryClient client = context.getBean(ValkeyrieReactiveDiscoveryClient.class);
			String service = "billing-" + UUID.randomUUID();
			context.getBean(ValkeyrieServiceRegistry.class)
				.register(new ValkeyrieRegistration(service, "b-1", "127.0.0.1", 9090, false, null, Map.of()));
			await().atMost(Timing.seconds(10))
				.until(() -> client.getInstances(service).map(ServiceInstance::getInstanceId).collectList().block(),
						(ids) -> ids.equals(List.of("b-1")));
			assertThat(client.getServices().collectList().block()).contains(service);
			client.reactiveProbe().block(Duration.ofSeconds(10));
		});
	}

	@Test
	void aTtlBelowTheStoresMinimumFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("valkeyrie.discovery.ttl=500us").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("valkeyrie.discovery.ttl")
				.hasMessageContaining("minimum TTL of 1ms");
		});
	}

	@Test
	void aServiceIdThatIsNotOneKeySegmentFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("spring.application.name=shop/orders").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("spring.application.name")
				.hasMessageContaining("shop/orders");
		});
	}

	@Test
	void anInvalidRootFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("valkeyrie.discovery.root=a//b").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("valkeyrie.discovery.root");
		});
	}

	private void assertNoDiscovery(org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
		assertThat(context).hasNotFailed()
			.doesNotHaveBean(ValkeyrieServiceCatalog.class)
			.doesNotHaveBean(ValkeyrieDiscoveryClient.class)
			.doesNotHaveBean(ValkeyrieReactiveDiscoveryClient.class)
			.doesNotHaveBean(ValkeyrieServiceRegistry.class)
			.doesNotHaveBean(ValkeyrieAutoServiceRegistration.class);
	}

}
