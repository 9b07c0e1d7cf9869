package io.valkeyrie.boot.discovery;

import java.util.Optional;
import java.util.UUID;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.CrashableServer;
import io.valkeyrie.store.test.ServerUse;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Service discovery with {@code spring.config.import=optional:valkeyrie:} and the server
 * down at startup: the application starts (as Spring Cloud Consul and Zookeeper
 * applications do), its discovery view is empty and its probe fails; once the server is
 * started the store connects, the instance registers (its TTL checked against the minimum
 * the server decides) and another store sees it under {@code services/<id>/<instance>};
 * shutdown removes it at once. Each case runs a server of its own.
 */
@ServerUse(shared = {})
@ExtendWith(OutputCaptureExtension.class)
class DiscoveryOutageTests {

	@ParameterizedTest
	@ValueSource(strings = { "redis", "zookeeper", "consul" })
	void startsWithTheServerDownAndRegistersOnceItIsUp(String backend, CapturedOutput output) {
		String namespace = "discovery-outage/" + UUID.randomUUID();
		try (CrashableServer server = CrashableServer.start(backend)) {
			server.kill();
			String key;
			try (ConfigurableApplicationContext context = start(backend, server.endpoint(), namespace)) {
				ValkeyrieRegistration registration = context.getBean(ValkeyrieRegistration.class);
				key = "services/orders/" + registration.getInstanceId();
				DiscoveryClient discovery = context.getBean(DiscoveryClient.class);
				assertThat(discovery.getServices()).isEmpty();
				assertThat(discovery.getInstances("orders")).isEmpty();
				assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(discovery::probe)
					.withMessageContaining("not connected to");
				ValkeyrieReactiveDiscoveryClient reactive = context.getBean(ValkeyrieReactiveDiscoveryClient.class);
				assertThat(reactive.getInstances("orders").collectList().block()).isEmpty();
				assertThatExceptionOfType(StoreUnavailableException.class)
					.isThrownBy(() -> reactive.reactiveProbe().block());

				server.start();

				try (Store other = Stores.open(config(backend, server.endpoint(), namespace))) {
					KVPair registered = await().atMost(Timing.seconds(90))
						.until(() -> other.find(key), Optional::isPresent)
						.get();
					assertThat(registered.valueAsString()).contains("\"port\":" + registration.getPort());
					await().atMost(Timing.seconds(30))
						.untilAsserted(() -> assertThat(discovery.getInstances("orders")).singleElement()
							.satisfies((instance) -> assertThat(instance.getInstanceId())
								.isEqualTo(registration.getInstanceId())));
					discovery.probe();
					reactive.reactiveProbe().block();
					context.close();
					assertThat(other.find(key)).as("deregistered on shutdown").isEmpty();
				}
			}
			assertThat(output).contains("is registered once it connects").doesNotContain("Could not register");
		}
	}

	@Test
	void stopsBeforeTheServerIsUpWithoutRegistering(CapturedOutput output) {
		String namespace = "discovery-outage/" + UUID.randomUUID();
		try (CrashableServer server = CrashableServer.start("redis")) {
			server.kill();
			start("redis", server.endpoint(), namespace).close();
			assertThat(output).contains("is registered once it connects")
				.doesNotContain("Could not deregister")
				.doesNotContain("Could not register");
		}
	}

	@Test
	void aTtlBelowTheServersMinimumIsAnErrorOnceConnected(CapturedOutput output) {
		String namespace = "discovery-outage/" + UUID.randomUUID();
		try (CrashableServer server = CrashableServer.start("zookeeper")) {
			server.kill();
			try (ConfigurableApplicationContext context = start("zookeeper", server.endpoint(), namespace,
					"valkeyrie.discovery.ttl=1ms")) {
				server.start();
				await().atMost(Timing.seconds(90)).untilAsserted(() -> assertThat(output)
					.contains("Could not register")
					.contains("is below the zookeeper store's minimum TTL")
					.contains("raise valkeyrie.discovery.ttl"));
				String key = "services/orders/" + context.getBean(ValkeyrieRegistration.class).getInstanceId();
				assertThat(context.getBean(Store.class).find(key)).isEmpty();
			}
		}
	}

	private static StoreConfig config(String backend, String endpoint, String namespace) {
		return StoreConfig.builder(backend)
			.endpoints(endpoint)
			.namespace(namespace)
			.connectTimeout(Timing.seconds(10))
			.requestTimeout(Timing.seconds(10))
			.build();
	}

	private static ConfigurableApplicationContext start(String backend, String endpoint, String namespace,
			String... more) {
		return new SpringApplicationBuilder(DiscoveryApplication.class).web(WebApplicationType.SERVLET)
			.properties("spring.config.import=optional:valkeyrie:", "spring.application.name=orders",
					"valkeyrie.backend=" + backend, "valkeyrie." + backend + ".endpoints=" + endpoint,
					"valkeyrie.namespace=" + namespace, "valkeyrie.connect-timeout=1s",
					"valkeyrie.request-timeout=" + Timing.seconds(5).toMillis() + "ms",
					"valkeyrie.connect-retry.initial-interval=100ms", "valkeyrie.connect-retry.max-interval=1s",
					"valkeyrie.discovery.hostname=127.0.0.1", "server.port=0", "spring.main.banner-mode=off")
			.properties(more)
			.run();
	}

}
