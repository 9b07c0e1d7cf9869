package io.valkeyrie.boot.autoconfigure.health;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.health.ValkeyrieHealthIndicator;
import io.valkeyrie.store.Store;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.CompositeHealthContributorConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@code valkeyrie} health
 * contributor: one {@link ValkeyrieHealthIndicator} per {@link Store} bean. It is named
 * {@code valkeyrie} whatever the backend, so it never clashes with Boot's {@code redis} or
 * Spring Cloud's {@code consul} and {@code zookeeper} contributors.
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class)
@ConditionalOnClass({ Store.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(Store.class)
@ConditionalOnEnabledHealthIndicator("valkeyrie")
public final class ValkeyrieHealthContributorAutoConfiguration
		extends CompositeHealthContributorConfiguration<ValkeyrieHealthIndicator, Store> {

	ValkeyrieHealthContributorAutoConfiguration() {
		super(ValkeyrieHealthIndicator::new);
	}

	@Bean
	@ConditionalOnMissingBean(name = { "valkeyrieHealthIndicator", "valkeyrieHealthContributor" })
	HealthContributor valkeyrieHealthContributor(ConfigurableListableBeanFactory beanFactory) {
		return createContributor(beanFactory, Store.class);
	}

}
