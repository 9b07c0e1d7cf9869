package io.valkeyrie.boot.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code spring.config.import=valkeyrie:} on one backend, against its real server: the
 * application and default folders with their profile folders, in the right precedence;
 * YAML text in one key; a change in the store reaching a {@code @ConfigurationProperties}
 * bean and a {@code @RefreshScope} bean.
 */
abstract class AbstractConfigDataApplicationTests {

	private final String namespace = "config-test/" + UUID.randomUUID();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private Store client;

	/** The {@code valkeyrie.*} properties that select this backend and its server. */
	protected abstract Map<String, String> backendProperties();

	/** Another client of the backend, with the given namespace. */
	protected abstract Store open(String namespace);

	@AfterEach
	void cleanUp() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
		if (this.client != null) {
			this.client.close();
		}
	}

	@Test
	void foldersAndProfileFoldersAreImportedInPrecedence() {
		Store store = client();
		store.put("config/application/demo/everyone", "from application");
		store.put("config/application/demo/level", "application");
		store.put("config/application,dev/demo/level", "application,dev");
		store.put("config/orders/demo/level", "orders");
		store.put("config/orders,dev/demo/level", "orders,dev");
		store.put("config/orders,dev/demo/dev-only", "yes");
		store.put("config/billing/demo/other-app", "not read");
		Environment environment = start("spring.profiles.active=dev").getEnvironment();
		assertThat(environment.getProperty("demo.everyone")).isEqualTo("from application");
		assertThat(environment.getProperty("demo.level")).isEqualTo("orders,dev");
		assertThat(environment.getProperty("demo.dev-only")).isEqualTo("yes");
		assertThat(environment.getProperty("demo.other-app")).isNull();
		Environment withoutProfile = start().getEnvironment();
		assertThat(withoutProfile.getProperty("demo.level")).isEqualTo("orders");
		assertThat(withoutProfile.getProperty("demo.dev-only")).isNull();
	}

	@Test
	void yamlTextInOneKeyIsImported() {
		client().put("config/orders/data", "demo:\n  message: from yaml\n  list:\n    - a\n    - b\n");
		Environment environment = start("valkeyrie.config.format=yaml").getEnvironment();
		assertThat(environment.getProperty("demo.message")).isEqualTo("from yaml");
		assertThat(environment.getProperty("demo.list[1]")).isEqualTo("b");
	}

	@Test
	void aChangeInTheStoreReachesConfigurationPropertiesAndRefreshScopeBeans() {
		client().put("config/orders/demo/message", "first");
		ConfigurableApplicationContext context = start("valkeyrie.config.watch.delay=200ms");
		ConfigDataApplication.DemoProperties properties = context.getBean(ConfigDataApplication.DemoProperties.class);
		ConfigDataApplication.Greeter greeter = context.getBean(ConfigDataApplication.Greeter.class);
		assertThat(properties.getMessage()).isEqualTo("first");
		assertThat(greeter.message()).isEqualTo("first");
		client().put("config/orders/demo/message", "second");
		await().atMost(Timing.seconds(20)).untilAsserted(() -> {
			assertThat(properties.getMessage()).isEqualTo("second");
			assertThat(context.getBean(ConfigDataApplication.Greeter.class).message()).isEqualTo("second");
		});
		assertThat(context.getEnvironment().getProperty("demo.message")).isEqualTo("second");
	}

	private Store client() {
		if (this.client == null) {
			this.client = open(this.namespace);
		}
		return this.client;
	}

	private ConfigurableApplicationContext start(String... extra) {
		Map<String, String> properties = new LinkedHashMap<>(backendProperties());
		properties.put("valkeyrie.namespace", this.namespace);
		properties.put("spring.application.name", "orders");
		properties.put("spring.config.import", "valkeyrie:");
		properties.put("spring.main.banner-mode", "off");
		List<String> pairs = new ArrayList<>();
		properties.forEach((name, value) -> pairs.add(name + "=" + value));
		pairs.addAll(List.of(extra));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ConfigDataApplication.class)
			.web(WebApplicationType.NONE)
			.properties(pairs.toArray(String[]::new))
			.run();
		this.contexts.add(context);
		return context;
	}

}
