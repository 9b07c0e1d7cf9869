package io.valkeyrie.boot.autoconfigure.config;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.config.ValkeyrieConfigChangedEvent;
import io.valkeyrie.boot.config.ValkeyrieConfigWatcher;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.endpoint.event.RefreshEvent;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ValkeyrieConfigAutoConfiguration}: the watch exists only when
 * configuration was imported from the store, and without Spring Cloud Context a change
 * updates the property source in place and publishes a {@link ValkeyrieConfigChangedEvent}.
 */
class ValkeyrieConfigAutoConfigurationTests {

	private final String database = "config-auto-" + UUID.randomUUID();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValkeyrieAutoConfiguration.class, ValkeyrieConfigAutoConfiguration.class))
		.withPropertyValues("valkeyrie.local.name=" + this.database, "spring.application.name=orders",
				"valkeyrie.config.watch.delay=100ms");

	@Test
	void withoutAnImportThereIsNoWatch() {
		this.contextRunner.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ValkeyrieConfigWatcher.class));
	}

	@Test
	void theWatchCanBeTurnedOff() {
		this.contextRunner.withInitializer(ValkeyrieConfigAutoConfigurationTests::imported)
			.withPropertyValues("valkeyrie.config.watch.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ValkeyrieConfigWatcher.class));
	}

	@Test
	void withoutSpringCloudContextAChangeUpdatesThePropertySourceInPlace() {
		List<ValkeyrieConfigChangedEvent> events = new CopyOnWriteArrayList<>();
		this.contextRunner.withClassLoader(new FilteredClassLoader(RefreshEvent.class))
			.withInitializer(ValkeyrieConfigAutoConfigurationTests::imported)
			.withInitializer((context) -> context.addApplicationListener(
					(ApplicationListener<ValkeyrieConfigChangedEvent>) events::add))
			.run((context) -> {
				assertThat(context).hasSingleBean(ValkeyrieConfigWatcher.class);
				assertThat(context.getEnvironment().getProperty("demo.message")).isEqualTo("imported");
				Store store = context.getBean(Store.class);
				store.put("config/orders/demo/message", "changed");
				store.put("config/application/demo/added", "new");
				await().atMost(Timing.seconds(10)).until(() -> !events.isEmpty()
						&& "changed".equals(context.getEnvironment().getProperty("demo.message")));
				assertThat(events.get(events.size() - 1).getKeys()).contains("demo.message");
				await().atMost(Timing.seconds(10))
					.until(() -> "new".equals(context.getEnvironment().getProperty("demo.added")));
			});
	}

	@Test
	void configurationTheApplicationStartedWithoutIsLoadedFromTheFirstStateOfTheWatch() {
		// An optional import that found the store unreachable, while the Store bean then connected.
		try (Store other = Stores.open(StoreConfig.builder("local").option("name", this.database).build())) {
			other.put("config/orders/demo/message", "stored");
			List<ValkeyrieConfigChangedEvent> events = new CopyOnWriteArrayList<>();
			this.contextRunner.withClassLoader(new FilteredClassLoader(RefreshEvent.class))
				.withInitializer((context) -> context.getEnvironment()
					.getPropertySources()
					.addFirst(new ValkeyrieConfigPropertySource(
							ValkeyrieConfigDataLoader.SOURCE_PREFIX + "[config/application, config/orders]", Map.of(),
							true, false)))
				.withInitializer((context) -> context.addApplicationListener(
						(ApplicationListener<ValkeyrieConfigChangedEvent>) events::add))
				.run((context) -> {
					await().atMost(Timing.seconds(10))
						.until(() -> "stored".equals(context.getEnvironment().getProperty("demo.message")));
					assertThat(events).singleElement()
						.satisfies((event) -> assertThat(event.getKeys()).containsExactly("demo.message"));
				});
		}
	}

	/** What the loader leaves behind after {@code spring.config.import=valkeyrie:}. */
	private static void imported(org.springframework.context.ConfigurableApplicationContext context) {
		context.getEnvironment()
			.getPropertySources()
			.addFirst(new ValkeyrieConfigPropertySource(
					ValkeyrieConfigDataLoader.SOURCE_PREFIX + "[config/application, config/orders]",
					Map.of("demo.message", "imported"), false, true));
	}

}
