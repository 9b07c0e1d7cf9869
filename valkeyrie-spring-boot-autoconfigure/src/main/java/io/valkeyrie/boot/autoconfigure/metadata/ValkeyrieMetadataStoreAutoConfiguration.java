package io.valkeyrie.boot.autoconfigure.metadata;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.metadata.ValkeyrieMetadataStore;
import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.Store;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.metadata.ConcurrentMetadataStore;
import org.springframework.integration.metadata.MetadataStore;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of Spring Integration's
 * {@code metadataStore} bean as a {@link ValkeyrieMetadataStore}, so that idempotent
 * receivers and file or FTP pollers share their state through the store.
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class)
@ConditionalOnClass({ ConcurrentMetadataStore.class, Store.class })
@ConditionalOnSingleCandidate(Store.class)
@ConditionalOnBooleanProperty(name = "valkeyrie.metadata.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ValkeyrieMetadataProperties.class)
public final class ValkeyrieMetadataStoreAutoConfiguration {

	/** Spring Integration looks its metadata store up by this name. */
	@Bean(name = "metadataStore")
	@ConditionalOnMissingBean(MetadataStore.class)
	ValkeyrieMetadataStore metadataStore(Store store, ValkeyrieMetadataProperties properties) {
		try {
			return new ValkeyrieMetadataStore(store, properties.getPrefix());
		}
		catch (InvalidKeyException | IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.metadata.prefix", properties.getPrefix(),
					ex.getMessage());
		}
	}

}
