package io.valkeyrie.boot.autoconfigure.config;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.config.ValkeyrieConfigChangedEvent;
import io.valkeyrie.boot.config.ValkeyrieConfigReader;
import io.valkeyrie.boot.config.ValkeyrieConfigWatcher;
import io.valkeyrie.store.Store;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.endpoint.event.RefreshEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the refresh of configuration
 * imported with {@code spring.config.import=valkeyrie:}: a watch on its folders that, once
 * a burst of changes has settled, publishes Spring Cloud's {@code RefreshEvent} (which
 * rebinds {@code @ConfigurationProperties} beans and refreshes {@code @RefreshScope}
 * beans), or without Spring Cloud Context updates the property source in place and
 * publishes a {@link ValkeyrieConfigChangedEvent}.
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class)
@ConditionalOnSingleCandidate(Store.class)
@ConditionalOnBooleanProperty(name = "valkeyrie.config.watch.enabled", matchIfMissing = true)
@Conditional(ValkeyrieConfigAutoConfiguration.OnValkeyrieConfigImport.class)
@EnableConfigurationProperties(ValkeyrieConfigProperties.class)
public final class ValkeyrieConfigAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ValkeyrieConfigWatcher valkeyrieConfigWatcher(Store store, ValkeyrieConfigProperties properties,
			ConfigurableEnvironment environment, ApplicationEventPublisher publisher, ResourceLoader resourceLoader) {
		boolean cloudContext = ClassUtils.isPresent("org.springframework.cloud.endpoint.event.RefreshEvent",
				resourceLoader.getClassLoader());
		ValkeyrieConfigReader reader = ValkeyrieConfigDataLocationResolver.reader(properties,
				environment.getProperty("spring.application.name"), Arrays.asList(environment.getActiveProfiles()));
		Runnable action = cloudContext
				? () -> CloudRefresh.publish(publisher, store)
				: () -> updateInPlace(store, reader, environment, publisher);
		ValkeyrieConfigPropertySource imported = ValkeyrieConfigPropertySource.find(environment);
		// Not read at startup (an optional import of an unreachable store): the first state is new.
		boolean stale = imported != null && !imported.isLoaded();
		return new ValkeyrieConfigWatcher(store, reader, properties.getWatch().getDelay(), action, stale);
	}

	private static void updateInPlace(Store store, ValkeyrieConfigReader reader, ConfigurableEnvironment environment,
			ApplicationEventPublisher publisher) {
		ValkeyrieConfigPropertySource old = ValkeyrieConfigPropertySource.find(environment);
		if (old == null) {
			return;
		}
		Map<String, Object> now = reader.read(store);
		Set<String> changed = new HashSet<>();
		Map<String, Object> before = old.getSource();
		before.forEach((key, value) -> {
			if (!Objects.equals(value, now.get(key))) {
				changed.add(key);
			}
		});
		now.keySet().stream().filter((key) -> !before.containsKey(key)).forEach(changed::add);
		environment.getPropertySources().replace(old.getName(), old.withProperties(now));
		publisher.publishEvent(new ValkeyrieConfigChangedEvent(store, changed));
	}

	/** Kept apart so that nothing loads {@code RefreshEvent} without Spring Cloud Context. */
	private static final class CloudRefresh {

		static void publish(ApplicationEventPublisher publisher, Store store) {
			publisher.publishEvent(new RefreshEvent(store, null, "valkeyrie configuration changed"));
		}

	}

	/** Matches when configuration was imported from the store. */
	static class OnValkeyrieConfigImport extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			boolean imported = context.getEnvironment() instanceof ConfigurableEnvironment environment
					&& ValkeyrieConfigPropertySource.find(environment) != null;
			return imported ? ConditionOutcome.match("configuration was imported with valkeyrie:")
					: ConditionOutcome.noMatch("no configuration was imported with valkeyrie:");
		}

	}

}
