package io.valkeyrie.boot.autoconfigure.health;

import java.util.List;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.health.ValkeyrieHealthIndicator;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ValkeyrieHealthContributorAutoConfiguration} and
 * {@link ValkeyrieHealthIndicator}.
 */
class ValkeyrieHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValkeyrieAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, ValkeyrieHealthContributorAutoConfiguration.class));

	@Test
	void contributorNamedValkeyrieReportsUpWithDetails() {
		this.contextRunner.withPropertyValues("valkeyrie.namespace=apps/orders").run((context) -> {
			assertThat(context).hasBean("valkeyrieHealthContributor");
			Health health = context.getBean("valkeyrieHealthContributor", ValkeyrieHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("backend", "local")
				.containsEntry("namespace", "apps/orders")
				.containsEntry("endpoints", List.of())
				.containsKey("roundTripMillis");
		});
	}

	@Test
	void closedStoreIsDown() {
		this.contextRunner.run((context) -> {
			context.getBean(Store.class).close();
			Health health = context.getBean("valkeyrieHealthContributor", HealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("error", "The store is closed");
		});
	}

	@Test
	void endpointsAreShownWithoutCredentials() {
		Store store = Stores.open(StoreConfig.builder("local").build());
		try {
			Health health = new ValkeyrieHealthIndicator(store,
					List.of("redis://user:secret@cache:6379/0", "http://etcd-1:2379")).health();
			assertThat(health.getDetails()).containsEntry("endpoints",
					List.of("redis://cache:6379/0", "http://etcd-1:2379"));
			assertThat(health.toString()).doesNotContain("secret");
		}
		finally {
			store.close();
		}
	}

	@Test
	void canBeDisabled() {
		this.contextRunner.withPropertyValues("management.health.valkeyrie.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(Store.class)
				.doesNotHaveBean("valkeyrieHealthContributor"));
	}

	@Test
	void backsOffWithoutSpringBootHealth() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasSingleBean(Store.class)
				.doesNotHaveBean("valkeyrieHealthContributor"));
	}

	@Test
	void backsOffWhenTheApplicationDefinesIt() {
		this.contextRunner.withBean("valkeyrieHealthIndicator", HealthIndicator.class, () -> () -> Health.up().build())
			.run((context) -> assertThat(context).doesNotHaveBean("valkeyrieHealthContributor"));
	}

	@Test
	void backsOffWithoutAStore() {
		this.contextRunner.withPropertyValues("valkeyrie.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("valkeyrieHealthContributor"));
	}

}
