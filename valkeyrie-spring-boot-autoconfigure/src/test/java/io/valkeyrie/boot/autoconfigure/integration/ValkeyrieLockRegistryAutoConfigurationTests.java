package io.valkeyrie.boot.autoconfigure.integration;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.lock.ValkeyrieLeaderInitiator;
import io.valkeyrie.boot.lock.ValkeyrieLockRegistry;
import io.valkeyrie.boot.test.LeaderElection;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
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
		this.contextRunner.withPropertyValues("valkeyrie.lock.ttl=999ms").run((context) -> {
			assertThat(context).hasFailed();
			Throwable cause = context.getStartupFailure();
			while (!(cause instanceof InvalidConfigurationPropertyValueException) && cause.getCause() != null) {
				cause = cause.getCause();
			}
			assertThat(cause).isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
				assertThat(ex.getName()).isEqualTo("valkeyrie.lock.ttl");
				assertThat(ex.getReason()).contains("below the local store's minimum lock TTL of 1s");
			});
		});
	}

	@Test
	void invalidPrefixIsAnInvalidProperty() {
		this.contextRunner.withPropertyValues("valkeyrie.lock.prefix=locks/../x").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
						(ex) -> assertThat(ex.getName()).isEqualTo("valkeyrie.lock.prefix"));
		});
	}

	@Test
	void leaderInitiatorForTheConfiguredRole() {
		this.contextRunner.withPropertyValues("valkeyrie.leader.enabled=true", "valkeyrie.leader.role=billing",
				"valkeyrie.leader.heartbeat=200ms")
			.run((context) -> {
				assertThat(context).hasSingleBean(ValkeyrieLeaderInitiator.class);
				LockRegistryLeaderInitiator initiator = context.getBean(LockRegistryLeaderInitiator.class);
				await().atMost(Timing.seconds(5)).until(() -> initiator.getContext().isLeader());
				assertThat(initiator.getContext().getRole()).isEqualTo("billing");
			});
	}

	@Test
	void stoppingTheLeaderReleasesItsLockBeforeStopReturns() {
		this.contextRunner.withPropertyValues("valkeyrie.leader.enabled=true", "valkeyrie.leader.heartbeat=100ms")
			.run((context) -> {
				LockRegistryLeaderInitiator initiator = context.getBean(LockRegistryLeaderInitiator.class);
				await().atMost(Timing.seconds(5)).until(() -> initiator.getContext().isLeader());
				initiator.stop();
				assertThat(context.getBean(Store.class).newLock("locks/leader").tryLock()).isPresent();
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
	void leaderElectsOnValkeyriesRegistryWhenTheApplicationHasItsOwn() {
		DefaultLockRegistry own = new DefaultLockRegistry();
		this.contextRunner.withPropertyValues("valkeyrie.leader.enabled=true", "valkeyrie.leader.heartbeat=100ms")
			.withBean("ownLockRegistry", LockRegistry.class, () -> own)
			.run((context) -> {
				assertThat(context.getBean(LockRegistry.class)).isSameAs(own);
				assertThat(context).hasBean("valkeyrieLeaderLockRegistry");
				LockRegistryLeaderInitiator initiator = context.getBean(LockRegistryLeaderInitiator.class);
				await().atMost(Timing.seconds(5)).until(() -> initiator.getContext().isLeader());
				assertThat(context.getBean(Store.class).newLock("locks/leader").tryLock()).isEmpty();
				assertThat(own.obtain("leader").tryLock()).isTrue();
			});
	}

	@Test
	void leaderElectsOnTheRegistryTheApplicationNames() {
		DefaultLockRegistry own = new DefaultLockRegistry();
		this.contextRunner
			.withPropertyValues("valkeyrie.leader.enabled=true", "valkeyrie.leader.heartbeat=100ms",
					"valkeyrie.leader.lock-registry=ownLockRegistry")
			.withBean("ownLockRegistry", LockRegistry.class, () -> own)
			.run((context) -> {
				LockRegistryLeaderInitiator initiator = context.getBean(LockRegistryLeaderInitiator.class);
				await().atMost(Timing.seconds(5)).until(() -> initiator.getContext().isLeader());
				assertThat(CompletableFuture.supplyAsync(() -> own.obtain("leader").tryLock()).get()).isFalse();
				assertThat(context.getBean(Store.class).newLock("locks/leader").tryLock()).isPresent();
			});
	}

	@Test
	void severalValkeyrieRegistriesWithoutANamedOneFailWithAnAnalysis() {
		this.contextRunner.withPropertyValues("valkeyrie.leader.enabled=true")
			.withUserConfiguration(TwoRegistries.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new LeaderLockRegistryFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("several valkeyrie lock registries [orders, billing]");
				assertThat(analysis.getAction()).contains("Set valkeyrie.leader.lock-registry");
			});
	}

	@Test
	void leadershipMovesWhenTheLeadersContextCloses() {
		LeaderElection.assertLeadershipMovesWhenTheLeaderCloses(
				Map.of("valkeyrie.local.name", "leader-" + UUID.randomUUID(), "valkeyrie.leader.role", "billing"));
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoRegistries {

		@Bean
		ValkeyrieLockRegistry orders(Store store) {
			return new ValkeyrieLockRegistry(store, "orders", Duration.ofSeconds(5));
		}

		@Bean
		ValkeyrieLockRegistry billing(Store store) {
			return new ValkeyrieLockRegistry(store, "billing", Duration.ofSeconds(5));
		}

	}

}
