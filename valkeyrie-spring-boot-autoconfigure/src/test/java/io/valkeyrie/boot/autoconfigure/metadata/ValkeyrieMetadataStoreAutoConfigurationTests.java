package io.valkeyrie.boot.autoconfigure.metadata;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.metadata.ValkeyrieMetadataStore;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.integration.metadata.ConcurrentMetadataStore;
import org.springframework.integration.metadata.MetadataStore;
import org.springframework.integration.metadata.SimpleMetadataStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ValkeyrieMetadataStoreAutoConfiguration}.
 */
class ValkeyrieMetadataStoreAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(ValkeyrieAutoConfiguration.class, ValkeyrieMetadataStoreAutoConfiguration.class));

	@Test
	void theMetadataStoreBeanIsBackedByTheStore() {
		this.contextRunner.withPropertyValues("valkeyrie.metadata.prefix=/si/meta/").run((context) -> {
			assertThat(context).hasSingleBean(MetadataStore.class).hasBean("metadataStore");
			ValkeyrieMetadataStore store = context.getBean(ValkeyrieMetadataStore.class);
			assertThat(store.getPrefix()).isEqualTo("si/meta");
			store.put("file.txt", "7");
			assertThat(context.getBean(io.valkeyrie.store.Store.class).get("si/meta/file.txt").valueAsString())
				.isEqualTo("7");
		});
	}

	@Test
	void anApplicationsOwnMetadataStoreWins() {
		this.contextRunner.withBean("metadataStore", SimpleMetadataStore.class, SimpleMetadataStore::new)
			.run((context) -> assertThat(context).hasSingleBean(MetadataStore.class)
				.doesNotHaveBean(ValkeyrieMetadataStore.class));
	}

	@Test
	void canBeTurnedOff() {
		this.contextRunner.withPropertyValues("valkeyrie.metadata.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(MetadataStore.class));
	}

	@Test
	void withoutSpringIntegrationThereIsNone() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ConcurrentMetadataStore.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ValkeyrieMetadataStore.class));
	}

	@Test
	void anInvalidPrefixFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("valkeyrie.metadata.prefix=a//b").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("valkeyrie.metadata.prefix");
		});
	}

}
