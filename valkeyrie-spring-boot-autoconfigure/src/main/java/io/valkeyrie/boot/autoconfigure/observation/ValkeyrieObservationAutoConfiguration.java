package io.valkeyrie.boot.autoconfigure.observation;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.observation.ObservedStore;
import io.valkeyrie.boot.observation.ValkeyrieStoreMeterBinder;
import io.valkeyrie.store.Store;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of valkeyrie's observations: every
 * {@link Store} bean becomes an {@link ObservedStore} when there is an
 * {@link ObservationRegistry} (with Spring Boot's actuator or
 * {@code spring-boot-micrometer-observation}), and gauges of watches and held locks are
 * registered when there is a {@code MeterRegistry}.
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ ObservationRegistry.class, Store.class })
@ConditionalOnBooleanProperty(name = "valkeyrie.observations.enabled", matchIfMissing = true)
public final class ValkeyrieObservationAutoConfiguration {

	@Bean
	static ObservedStoreBeanPostProcessor valkeyrieObservedStoreBeanPostProcessor(
			ObjectProvider<ObservationRegistry> observationRegistry) {
		return new ObservedStoreBeanPostProcessor(observationRegistry);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterBinder.class)
	static class MeterBinderConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnSingleCandidate(Store.class)
		ValkeyrieStoreMeterBinder valkeyrieStoreMeterBinder(Store store) {
			return new ValkeyrieStoreMeterBinder(store);
		}

	}

}
