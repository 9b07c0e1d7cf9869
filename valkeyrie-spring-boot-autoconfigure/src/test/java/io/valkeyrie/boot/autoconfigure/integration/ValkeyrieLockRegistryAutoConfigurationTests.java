package io.valkeyrie.boot.autoconfigure.integration;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.lock.ValkeyrieLockRegistry;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.integration.leader.event.AbstractLeaderEvent;
import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.leader.event.OnRevokedEvent;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.DefaultLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ValkeyrieLockRegistryAutoConfiguration}.
 */
class ValkeyrieLockRegistryAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(ValkeyrieAutoConfiguration.class, ValkeyrieLockRegistryAutoConfiguration.class));

	@Test
	void registersALockRegistryOnTheStore() {
		this.contextRunner.withPropertyValues("valkeyrie.lock.prefix=app/locks").run((context) -> {
			assertThat(context).hasSingleBean(ValkeyrieLockRegistry.class)
				.doesNotHaveBean(LockRegistryLeaderInitiator.class);
			LockRegistry<?> registry = context.getBean(LockRegistry.class);
			registry.obtain("a").lock();
			assertThat(context.getBean(Store.class).newLock("app/locks/a").tryLock()).isEmpty();
			registry.obtain("a").unlock();
		});
	}

	@Test
	void backsOffWhenTheApplicationDefinesALockRegistry() {
		this.contextRunner.withBean(LockRegistry.class, DefaultLockRegistry::new)
			.run((context) -> assertThat(context).hasSingleBean(LockRegistry.class)
				.doesNotHaveBean(ValkeyrieLockRegistry.class));
	}

	@Test
	void backsOffWithoutSpringIntegration() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(LockRegistry.class))
			.run((context) -> assertThat(context).hasSingleBean(Store.class)
				.doesNotHaveBean(ValkeyrieLockRegistry.class));
	}

	@Test
	void backsOffWithoutAStore() {
		this.contextRunner.withPropertyValues("valkeyrie.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ValkeyrieLockRegistry.class));
	}

	@Test
	void ttlBelowTheStoresMinimumIsAnInvalidProperty() {
		this.contextRunner.withPropertyValues("valkeyrie.lock.ttl=0s").run((context) -> {
			assertThat(context).hasFailed();
			Throwable cause = context.getStartupFailure();
			while (!(cause instanceof InvalidConfigurationPropertyValueException) && cause.getCause() != null) {
				cause = cause.getCause();
			}
			assertThat(cause).isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
				assertThat(ex.getName()).isEqualTo("valkeyrie.lock.ttl");
				assertThat(ex.getReason()).contains("below the local store's minimum TTL of PT0.001S");
			});
		});
	}

	@Test
	void leaderInitiatorForTheConfiguredRole() {
		this.contextRunner.withPropertyValues("valkeyrie.leader.enabled=true", "valkeyrie.leader.role=billing",
				"valkeyrie.leader.heartbeat=200ms")
			.run((context) -> {
				assertThat(context).hasSingleBean(LockRegistryLeaderInitiator.class);
				LockRegistryLeaderInitiator initiator = context.getBean(LockRegistryLeaderInitiator.class);
				await().atMost(Timing.seconds(5)).until(() -> initiator.getContext().isLeader());
				assertThat(initiator.getContext().getRole()).isEqualTo("billing");
			});
	}

	@Test
	void leaderInitiatorBacksOff() {
		LockRegistryLeaderInitiator own = new LockRegistryLeaderInitiator(new DefaultLockRegistry());
		this.contextRunner.withPropertyValues("valkeyrie.leader.enabled=true")
			.withBean(LockRegistryLeaderInitiator.class, () -> own)
			.run((context) -> assertThat(context.getBean(LockRegistryLeaderInitiator.class)).isSameAs(own));
	}

	@Test
	void leadershipMovesWhenTheLeadersContextCloses() {
		String database = "leader-" + UUID.randomUUID();
		ConfigurableApplicationContext first = start(database);
		ConfigurableApplicationContext second = start(database);
		try {
			LeaderEvents firstEvents = first.getBean(LeaderEvents.class);
			LeaderEvents secondEvents = second.getBean(LeaderEvents.class);
			await().atMost(Timing.seconds(10)).until(() -> firstEvents.granted() + secondEvents.granted() == 1);
			ConfigurableApplicationContext leader = (firstEvents.granted() == 1) ? first : second;
			ConfigurableApplicationContext follower = (leader == first) ? second : first;
			LeaderEvents leaderEvents = leader.getBean(LeaderEvents.class);
			LeaderEvents followerEvents = follower.getBean(LeaderEvents.class);
			// Several heartbeats pass: the leader keeps its lock without flapping.
			await().pollDelay(Timing.millis(1500)).atMost(Timing.seconds(3)).until(() -> true);
			assertThat(leaderEvents.events).singleElement().isInstanceOf(OnGrantedEvent.class);
			assertThat(followerEvents.events).isEmpty();
			leader.close();
			assertThat(leaderEvents.events).hasSize(2).last().isInstanceOf(OnRevokedEvent.class);
			await().atMost(Timing.seconds(10)).until(() -> followerEvents.granted() == 1);
			assertThat(followerEvents.events.get(0).getRole()).isEqualTo("leader");
		}
		finally {
			first.close();
			second.close();
		}
	}

	private static ConfigurableApplicationContext start(String database) {
		return new SpringApplicationBuilder(LeaderApplication.class).web(WebApplicationType.NONE)
			.properties("valkeyrie.local.name=" + database, "valkeyrie.leader.enabled=true",
					"valkeyrie.leader.heartbeat=200ms", "spring.main.banner-mode=off")
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ValkeyrieAutoConfiguration.class, ValkeyrieLockRegistryAutoConfiguration.class })
	static class LeaderApplication {

		@Bean
		LeaderEvents leaderEvents() {
			return new LeaderEvents();
		}

	}

	static class LeaderEvents {

		final List<AbstractLeaderEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		void on(AbstractLeaderEvent event) {
			this.events.add(event);
		}

		long granted() {
			return this.events.stream().filter(OnGrantedEvent.class::isInstance).count();
		}

	}


}
