package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.boot.event.ValkeyrieWatchRegistrar;
import io.valkeyrie.store.Store;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the
 * {@link ValkeyrieWatchRegistrar} that publishes the changes of the keys and directories
 * listed in {@code valkeyrie.watch.keys} and {@code valkeyrie.watch.trees} (and of those
 * registered on it in code) as application events.
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class)
@ConditionalOnSingleCandidate(Store.class)
@EnableConfigurationProperties(ValkeyrieProperties.class)
public final class ValkeyrieEventsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ValkeyrieWatchRegistrar valkeyrieWatchRegistrar(Store store, ValkeyrieProperties properties,
			ApplicationEventPublisher eventPublisher) {
		ValkeyrieWatchRegistrar registrar = new ValkeyrieWatchRegistrar(store, eventPublisher);
		properties.getWatch().getKeys().forEach(registrar::watchKey);
		properties.getWatch().getTrees().forEach(registrar::watchTree);
		return registrar;
	}

}
