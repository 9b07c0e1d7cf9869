package io.valkeyrie.boot.autoconfigure.observation;

import io.micrometer.observation.ObservationRegistry;
import io.valkeyrie.boot.observation.ObservedStore;
import io.valkeyrie.store.Store;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Wraps every {@link Store} bean in an {@link ObservedStore} when the application has an
 * {@link ObservationRegistry}. The registry is looked up when the first store is wrapped,
 * not when this post-processor is created, so it is itself fully post-processed.
 */
class ObservedStoreBeanPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<ObservationRegistry> observationRegistry;

	ObservedStoreBeanPostProcessor(ObjectProvider<ObservationRegistry> observationRegistry) {
		this.observationRegistry = observationRegistry;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof Store store && !(bean instanceof ObservedStore)) {
			ObservationRegistry registry = this.observationRegistry.getIfAvailable();
			if (registry != null) {
				return new ObservedStore(store, registry);
			}
		}
		return bean;
	}

}
