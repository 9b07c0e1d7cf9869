package io.valkeyrie.boot.autoconfigure.discovery;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.discovery.ValkeyrieAutoServiceRegistration;
import io.valkeyrie.boot.discovery.ValkeyrieRegistration;
import io.valkeyrie.boot.discovery.ValkeyrieServiceRegistry;
import io.valkeyrie.store.Store;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.commons.util.InetUtilsProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the valkeyrie
 * {@link ServiceRegistry}, and of this application's registration once its web server has
 * started ({@code spring.cloud.service-registry.auto-registration.enabled}).
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class,
		afterName = "org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration",
		beforeName = "org.springframework.cloud.client.serviceregistry.ServiceRegistryAutoConfiguration")
@ConditionalOnClass({ ServiceRegistry.class, Store.class, JsonMapper.class })
@ConditionalOnDiscoveryEnabled
@ConditionalOnBooleanProperty(name = "spring.cloud.service-registry.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "valkeyrie.discovery.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(Store.class)
@EnableConfigurationProperties(ValkeyrieDiscoveryProperties.class)
public final class ValkeyrieServiceRegistryAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ValkeyrieServiceRegistry valkeyrieServiceRegistry(Store store, ValkeyrieDiscoveryProperties properties) {
		return new ValkeyrieServiceRegistry(store, DiscoverySettings.root(properties),
				DiscoverySettings.ttl(properties, store));
	}

	// Without the web-server module AbstractAutoServiceRegistration cannot even be loaded.
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.web.server.context.WebServerInitializedEvent")
	@ConditionalOnBean(AutoServiceRegistrationProperties.class)
	@ConditionalOnBooleanProperty(name = "spring.cloud.service-registry.auto-registration.enabled",
			matchIfMissing = true)
	static class AutoRegistrationConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ValkeyrieRegistration valkeyrieRegistration(ValkeyrieDiscoveryProperties properties, Environment environment,
				ObjectProvider<InetUtils> inetUtils) {
			return DiscoverySettings.registration(properties, environment,
					inetUtils.getIfAvailable(() -> new InetUtils(new InetUtilsProperties())));
		}

		@Bean
		@ConditionalOnMissingBean
		ValkeyrieAutoServiceRegistration valkeyrieAutoServiceRegistration(ApplicationContext context,
				ValkeyrieServiceRegistry registry, AutoServiceRegistrationProperties autoServiceRegistrationProperties,
				ValkeyrieRegistration registration, ValkeyrieDiscoveryProperties properties) {
			return new ValkeyrieAutoServiceRegistration(context, registry, autoServiceRegistrationProperties,
					registration, properties.isRegister(), properties.isDeregister());
		}

	}

}
