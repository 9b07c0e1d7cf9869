package io.valkeyrie.boot.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Publishes {@code valkeyrie.redis.*} as Spring Boot's {@link DataRedisConnectionDetails}
 * when the application's Redis is valkeyrie's only: the backend is {@code redis},
 * {@code valkeyrie.redis.endpoints} is set and none of Boot's own {@code spring.data.redis}
 * connection properties is. Boot's connection factory and its {@code redis} health indicator
 * then use the store's server, over TLS with the store's SSL bundle when the store uses TLS.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails")
@ConditionalOnBooleanProperty(name = "valkeyrie.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "valkeyrie.backend", havingValue = "redis")
@Conditional(ValkeyrieDataRedisAutoConfiguration.OnlyValkeyrieRedisCondition.class)
@EnableConfigurationProperties(ValkeyrieProperties.class)
public final class ValkeyrieDataRedisAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(DataRedisConnectionDetails.class)
	DataRedisConnectionDetails valkeyrieDataRedisConnectionDetails(ValkeyrieProperties properties,
			ObjectProvider<SslBundles> sslBundles) {
		return new ValkeyrieDataRedisConnectionDetails(properties.getRedis(), sslBundles.getIfAvailable());
	}

	private static final List<String> SPRING_DATA_REDIS = List.of("host", "port", "url", "database", "username",
			"password", "sentinel.master", "sentinel.nodes", "cluster.nodes", "masterreplica.nodes");

	/** Whether the application set any of Spring Boot's own Redis connection properties. */
	static boolean springDataRedisIsSet(Environment environment) {
		return SPRING_DATA_REDIS.stream().anyMatch((name) -> environment.containsProperty("spring.data.redis." + name));
	}

	static class OnlyValkeyrieRedisCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Environment environment = context.getEnvironment();
			String endpoints = environment.getProperty("valkeyrie.redis.endpoints",
					environment.getProperty("valkeyrie.redis.endpoints[0]"));
			if (endpoints == null || endpoints.isBlank()) {
				return ConditionOutcome.noMatch("valkeyrie.redis.endpoints is not set");
			}
			if (springDataRedisIsSet(environment)) {
				return ConditionOutcome.noMatch("spring.data.redis connection properties are set");
			}
			return ConditionOutcome.match("only valkeyrie.redis.endpoints name a Redis");
		}

	}

}
