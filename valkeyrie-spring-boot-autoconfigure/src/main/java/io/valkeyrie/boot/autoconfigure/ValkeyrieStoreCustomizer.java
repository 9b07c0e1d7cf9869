package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.store.StoreConfig;

/**
 * Callback that adjusts the {@link StoreConfig} of the auto-configured
 * {@link io.valkeyrie.store.Store} before it is opened, after the {@code valkeyrie.*}
 * properties have been applied. Customizers run in {@link org.springframework.core.Ordered
 * order}.
 */
@FunctionalInterface
public interface ValkeyrieStoreCustomizer {

	/**
	 * Customize the configuration.
	 * @param builder the builder, already holding what the properties say
	 */
	void customize(StoreConfig.Builder builder);

}
