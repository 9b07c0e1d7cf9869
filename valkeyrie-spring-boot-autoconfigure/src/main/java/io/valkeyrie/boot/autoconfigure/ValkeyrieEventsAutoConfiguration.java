package io.valkeyrie.boot.autoconfigure;

import java.util.function.UnaryOperator;

import io.valkeyrie.boot.event.ValkeyrieWatchRegistrar;
import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.internal.Keys;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
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
		for (String key : properties.getWatch().getKeys()) {
			check("valkeyrie.watch.keys", key, Keys::key);
			registrar.watchKey(key);
		}
		for (String dir : properties.getWatch().getTrees()) {
			check("valkeyrie.watch.trees", dir, Keys::dir);
			registrar.watchTree(dir);
		}
		return registrar;
	}

	// The watches open when the context starts; a bad key should fail now, naming its property.
	private static void check(String property, String key, UnaryOperator<String> rule) {
		try {
			rule.apply(key);
		}
		catch (InvalidKeyException ex) {
			throw new InvalidConfigurationPropertyValueException(property, key, ex.getMessage());
		}
	}

}
