package io.valkeyrie.boot.config;

import java.util.UUID;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.CrashableServer;
import io.valkeyrie.store.test.ServerUse;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code spring.config.import=optional:valkeyrie:} with the server down at startup, on every
 * server backend and in both layouts (a key per property, and one key holding YAML or
 * properties text): the application starts with its {@code Store} bean connecting in the
 * background and its health DOWN; once the server is started the store connects, the
 * configuration is loaded and refreshed into a {@code @ConfigurationProperties} and a
 * {@code @RefreshScope} bean, and the store serves calls. Each case runs a server of its own
 * (persistent, so what is written before the outage is there after it).
 */
@ServerUse(shared = {})
@ExtendWith(OutputCaptureExtension.class)
class OptionalImportOutageTests {

	private static final String MESSAGE = "from the store";

	@ParameterizedTest(name = "{0}, {1}")
	@CsvSource({ "etcd, key-value", "etcd, yaml", "consul, key-value", "consul, properties", "zookeeper, key-value",
			"zookeeper, yaml", "redis, key-value", "redis, properties" })
	void startsWithTheServerDownAndLoadsTheConfigurationOnceItIsUp(String backend, String format,
			CapturedOutput output) {
		String namespace = "outage/" + UUID.randomUUID();
		try (CrashableServer server = CrashableServer.start(backend)) {
			StoreConfig config = StoreConfig.builder(backend)
				.endpoints(server.endpoint())
				.namespace(namespace)
				.connectTimeout(Timing.seconds(10))
				.requestTimeout(Timing.seconds(10))
				.build();
			try (Store seed = Stores.open(config)) {
				switch (format) {
					case "key-value" -> seed.put("config/orders/demo/message", MESSAGE);
					case "yaml" -> seed.put("config/orders/data", "demo:\n  message: " + MESSAGE + "\n");
					default -> seed.put("config/orders/data", "demo.message=" + MESSAGE + "\n");
				}
			}
			server.kill();
			try (ConfigurableApplicationContext context = start(backend, server.endpoint(), namespace, format)) {
				ConfigDataApplication.DemoProperties properties = context
					.getBean(ConfigDataApplication.DemoProperties.class);
				assertThat(properties.getMessage()).isEqualTo("none");
				assertThat(greeting(context)).isEqualTo("none");
				assertThat(output.toString().split("Optional configuration valkeyrie:", -1)).as("one WARN for the import")
					.hasSize(2);
				Store store = context.getBean(Store.class);
				assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> store.get("anything"))
					.withMessageContaining("not connected to");
				Health down = health(context);
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(String.valueOf(down.getDetails().get("error"))).contains(backend + " store unavailable: not connected");

				server.start();

				await().atMost(Timing.seconds(90)).untilAsserted(() -> {
					assertThat(properties.getMessage()).isEqualTo(MESSAGE);
					assertThat(greeting(context)).isEqualTo(MESSAGE);
				});
				assertThat(context.getEnvironment().getProperty("demo.message")).isEqualTo(MESSAGE);
				assertThat(health(context).getStatus()).isEqualTo(Status.UP);
				store.put("app/key", "works");
				assertThat(store.get("app/key").valueAsString()).isEqualTo("works");
			}
		}
	}

	private static String greeting(ConfigurableApplicationContext context) {
		return context.getBean(ConfigDataApplication.Greeter.class).message();
	}

	private static Health health(ConfigurableApplicationContext context) {
		return context.getBean("valkeyrieHealthContributor", HealthIndicator.class).health();
	}

	private static ConfigurableApplicationContext start(String backend, String endpoint, String namespace,
			String format) {
		return new SpringApplicationBuilder(ConfigDataApplication.class).web(WebApplicationType.NONE)
			.properties("spring.config.import=optional:valkeyrie:", "spring.application.name=orders",
					"valkeyrie.backend=" + backend, "valkeyrie." + backend + ".endpoints=" + endpoint,
					"valkeyrie.namespace=" + namespace, "valkeyrie.config.format=" + format,
					"valkeyrie.config.watch.delay=200ms", "valkeyrie.connect-timeout=1s",
					"valkeyrie.request-timeout=" + Timing.seconds(5).toMillis() + "ms",
					"valkeyrie.connect-retry.initial-interval=100ms", "valkeyrie.connect-retry.max-interval=1s",
					"spring.main.banner-mode=off")
			.run();
	}

}
