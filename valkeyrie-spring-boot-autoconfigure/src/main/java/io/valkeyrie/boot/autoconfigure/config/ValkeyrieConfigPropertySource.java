package io.valkeyrie.boot.autoconfigure.config;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * The properties {@code spring.config.import=valkeyrie:} read from the store, named
 * {@value ValkeyrieConfigDataLoader#SOURCE_PREFIX}{@code <folders>}. It also says whether
 * the import was {@code optional:} and whether the store could be read: an optional import
 * of an unreachable store leaves it empty until the store connects.
 */
public final class ValkeyrieConfigPropertySource extends MapPropertySource {

	private final boolean optionalImport;

	private final boolean loaded;

	ValkeyrieConfigPropertySource(String name, Map<String, Object> properties, boolean optionalImport,
			boolean loaded) {
		super(name, properties);
		this.optionalImport = optionalImport;
		this.loaded = loaded;
	}

	/** Whether the import was {@code optional:valkeyrie:}. */
	public boolean isOptionalImport() {
		return this.optionalImport;
	}

	/** Whether the properties were read from the store ({@code false}: it was unreachable). */
	public boolean isLoaded() {
		return this.loaded;
	}

	/** The same source holding other properties read from the store. */
	ValkeyrieConfigPropertySource withProperties(Map<String, Object> properties) {
		return new ValkeyrieConfigPropertySource(getName(), properties, this.optionalImport, true);
	}

	/**
	 * The imported source in an environment.
	 * @param environment the environment
	 * @return the source, or {@code null} when nothing was imported from the store
	 */
	public static @Nullable ValkeyrieConfigPropertySource find(ConfigurableEnvironment environment) {
		for (PropertySource<?> source : environment.getPropertySources()) {
			if (source instanceof ValkeyrieConfigPropertySource imported) {
				return imported;
			}
		}
		return null;
	}

}
