package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.boot.autoconfigure.ValkeyrieStoreFactory.StoreOpener;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of a valkeyrie {@link Store} for the
 * backend {@code valkeyrie.backend} names, closed with the context.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(Store.class)
@ConditionalOnBooleanProperty(name = "valkeyrie.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ValkeyrieProperties.class)
@Import(ValkeyrieAutoConfiguration.DataRedisConfiguration.class)
public final class ValkeyrieAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(ValkeyrieConnectionDetails.class)
	PropertiesValkeyrieConnectionDetails valkeyrieConnectionDetails(ValkeyrieProperties properties,
			ObjectProvider<SslBundles> sslBundles) {
		return new PropertiesValkeyrieConnectionDetails(properties, sslBundles.getIfAvailable());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	Store valkeyrieStore(ValkeyrieProperties properties, ValkeyrieConnectionDetails connectionDetails,
			ObjectProvider<ValkeyrieStoreCustomizer> customizers, ObjectProvider<StoreOpener> openers) {
		ValkeyrieStoreFactory factory = new ValkeyrieStoreFactory(properties, connectionDetails,
				customizers.orderedStream().toList());
		StoreConfig config = factory.config();
		return factory.open(config, openers.getIfAvailable(() -> Stores::open));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails")
	@ConditionalOnBean(type = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails")
	static class DataRedisConfiguration {

		@Bean
		StoreOpener valkeyrieDataRedisStoreOpener(DataRedisConnectionDetails connectionDetails) {
			return new DataRedisStoreOpener(connectionDetails);
		}

	}

}
