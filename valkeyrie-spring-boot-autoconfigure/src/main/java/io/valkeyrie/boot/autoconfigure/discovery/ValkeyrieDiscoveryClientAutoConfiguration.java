package io.valkeyrie.boot.autoconfigure.discovery;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.discovery.ValkeyrieDiscoveryClient;
import io.valkeyrie.boot.discovery.ValkeyrieReactiveDiscoveryClient;
import io.valkeyrie.boot.discovery.ValkeyrieServiceCatalog;
import io.valkeyrie.store.Store;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.ConditionalOnBlockingDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the valkeyrie
 * {@link DiscoveryClient} (and {@code ReactiveDiscoveryClient} with Reactor), served from
 * one watched view of {@code valkeyrie.discovery.root}.
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class,
		beforeName = { "org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration",
				"org.springframework.cloud.client.CommonsClientAutoConfiguration",
				"org.springframework.cloud.client.discovery.simple.reactive.SimpleReactiveDiscoveryClientAutoConfiguration",
				"org.springframework.cloud.client.ReactiveCommonsClientAutoConfiguration" })
@ConditionalOnClass({ DiscoveryClient.class, Store.class, JsonMapper.class })
@ConditionalOnDiscoveryEnabled
@ConditionalOnBooleanProperty(name = "valkeyrie.discovery.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(Store.class)
@EnableConfigurationProperties(ValkeyrieDiscoveryProperties.class)
public final class ValkeyrieDiscoveryClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ValkeyrieServiceCatalog valkeyrieServiceCatalog(Store store, ValkeyrieDiscoveryProperties properties,
			ApplicationEventPublisher publisher) {
		return new ValkeyrieServiceCatalog(store, DiscoverySettings.root(properties), publisher,
				properties.getInitialWait());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBlockingDiscoveryEnabled
	static class BlockingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ValkeyrieDiscoveryClient valkeyrieDiscoveryClient(ValkeyrieServiceCatalog catalog,
				ValkeyrieDiscoveryProperties properties) {
			return new ValkeyrieDiscoveryClient(catalog, properties.getOrder());
		}

	}

	// Spring Cloud's @ConditionalOnReactiveDiscoveryEnabled also asks for WebClient; the view
	// needs only Reactor, so a Reactor application without WebFlux gets the client too.
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Flux.class)
	@ConditionalOnBooleanProperty(name = "spring.cloud.discovery.reactive.enabled", matchIfMissing = true)
	static class ReactiveConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ValkeyrieReactiveDiscoveryClient valkeyrieReactiveDiscoveryClient(ValkeyrieServiceCatalog catalog,
				ValkeyrieDiscoveryProperties properties) {
			return new ValkeyrieReactiveDiscoveryClient(catalog, properties.getOrder());
		}

	}

}
