package io.valkeyrie.boot.autoconfigure;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.boot.event.ValkeyrieKeyChangedEvent;
import io.valkeyrie.boot.event.ValkeyrieKeyChangedEvent.Type;
import io.valkeyrie.boot.event.ValkeyrieResyncEvent;
import io.valkeyrie.boot.event.ValkeyrieWatchRegistrar;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ValkeyrieEventsAutoConfiguration}: changes made by another client reach
 * {@code @EventListener} methods.
 */
class ValkeyrieEventsAutoConfigurationTests {

	private final String database = "events-" + UUID.randomUUID();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValkeyrieAutoConfiguration.class,
				ValkeyrieEventsAutoConfiguration.class))
		.withPropertyValues("valkeyrie.local.name=" + this.database, "valkeyrie.namespace=app")
		.withUserConfiguration(Listeners.class);

	@Test
	void changesOfWatchedTreesAndKeysArePublished() {
		this.contextRunner.withPropertyValues("valkeyrie.watch.trees=/config/", "valkeyrie.watch.keys=flags/dark-mode")
			.run((context) -> {
				Listeners listeners = context.getBean(Listeners.class);
				await().atMost(Timing.seconds(5)).until(() -> listeners.resyncs.size() == 2);
				assertThat(listeners.resyncs).allSatisfy((event) -> assertThat(event.isInitial()).isTrue())
					.extracting(ValkeyrieResyncEvent::getWatchedKey)
					.containsExactlyInAnyOrder("config", "flags/dark-mode");
				try (Store other = otherClient()) {
					other.put("config/db/url", "jdbc:h2:mem:x");
					other.put("unwatched/key", "x");
					other.put("flags/dark-mode", "on");
					other.delete("config/db/url");
				}
				await().atMost(Timing.seconds(5)).until(() -> listeners.all.size() == 3);
				assertThat(listeners.all).extracting(ValkeyrieKeyChangedEvent::getType, ValkeyrieKeyChangedEvent::getKey)
					.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Type.PUT, "config/db/url"),
							org.assertj.core.groups.Tuple.tuple(Type.PUT, "flags/dark-mode"),
							org.assertj.core.groups.Tuple.tuple(Type.DELETE, "config/db/url"));
				assertThat(listeners.config).extracting(ValkeyrieKeyChangedEvent::getType)
					.containsExactly(Type.PUT, Type.DELETE);
				ValkeyrieKeyChangedEvent put = listeners.config.get(0);
				assertThat(put.getValueAsString()).isEqualTo("jdbc:h2:mem:x");
				assertThat(put.getIndex()).isPositive();
				assertThat(put.getWatchedKey()).isEqualTo("config");
				assertThat(put.isTree()).isTrue();
				assertThat(listeners.config.get(1).getValue()).isEmpty();
			});
	}

	@Test
	void watchesRegisteredInCodeArePublished() {
		this.contextRunner.run((context) -> {
			Listeners listeners = context.getBean(Listeners.class);
			context.getBean(ValkeyrieWatchRegistrar.class).watchKey("config/late");
			await().atMost(Timing.seconds(5)).until(() -> listeners.resyncs.size() == 1);
			try (Store other = otherClient()) {
				other.put("config/late", "1");
			}
			await().atMost(Timing.seconds(5)).until(() -> listeners.config.size() == 1);
		});
	}

	@Test
	void aSlowListenerDoesNotHoldUpOtherWatches() {
		this.contextRunner.withPropertyValues("valkeyrie.watch.trees=slow,config", "valkeyrie.watch-threads=1")
			.run((context) -> {
				Listeners listeners = context.getBean(Listeners.class);
				await().atMost(Timing.seconds(5)).until(() -> listeners.resyncs.size() == 2);
				try (Store other = otherClient()) {
					other.put("slow/a", "blocks its listener");
					await().atMost(Timing.seconds(5)).until(() -> listeners.slowEntered.getCount() == 0);
					other.put("config/b", "still arrives");
					await().atMost(Timing.seconds(5)).until(() -> listeners.config.size() == 1);
				}
				finally {
					listeners.release.countDown();
				}
			});
	}

	@Test
	void stoppingTheContextClosesTheWatches() {
		this.contextRunner.withPropertyValues("valkeyrie.watch.trees=config").run((context) -> {
			ValkeyrieWatchRegistrar registrar = context.getBean(ValkeyrieWatchRegistrar.class);
			assertThat(registrar.activeWatches()).isEqualTo(1);
			context.stop();
			assertThat(registrar.activeWatches()).isZero();
			assertThat(registrar.isRunning()).isFalse();
		});
	}

	@Test
	void invalidWatchedKeyIsAnInvalidProperty() {
		this.contextRunner.withPropertyValues("valkeyrie.watch.keys=config//db").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
					assertThat(ex.getName()).isEqualTo("valkeyrie.watch.keys");
					assertThat(ex.getValue()).isEqualTo("config//db");
				});
		});
	}

	@Test
	void backsOffWithoutAStore() {
		this.contextRunner.withPropertyValues("valkeyrie.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ValkeyrieWatchRegistrar.class));
	}

	private Store otherClient() {
		return Stores.open(StoreConfig.builder("local").option("name", this.database).namespace("app").build());
	}

	@Configuration(proxyBeanMethods = false)
	static class Listeners {

		final List<ValkeyrieKeyChangedEvent> all = new CopyOnWriteArrayList<>();

		final List<ValkeyrieKeyChangedEvent> config = new CopyOnWriteArrayList<>();

		final List<ValkeyrieResyncEvent> resyncs = new CopyOnWriteArrayList<>();

		final CountDownLatch slowEntered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@EventListener
		void onAnyChange(ValkeyrieKeyChangedEvent event) {
			if (!event.getKey().startsWith("slow/")) {
				this.all.add(event);
			}
		}

		@EventListener(condition = "#event.key.startsWith('config/')")
		void onConfigChange(ValkeyrieKeyChangedEvent event) {
			this.config.add(event);
		}

		@EventListener(condition = "#event.key.startsWith('slow/')")
		void onSlowChange(ValkeyrieKeyChangedEvent event) throws InterruptedException {
			this.slowEntered.countDown();
			this.release.await(Timing.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
		}

		@EventListener
		void onResync(ValkeyrieResyncEvent event) {
			this.resyncs.add(event);
		}

	}

}
