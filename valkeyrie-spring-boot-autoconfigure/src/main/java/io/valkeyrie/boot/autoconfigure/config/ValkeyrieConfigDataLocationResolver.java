package io.valkeyrie.boot.autoconfigure.config;

import java.util.List;

import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties;
import io.valkeyrie.boot.config.ValkeyrieConfigReader;
import io.valkeyrie.store.InvalidKeyException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.config.Profiles;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.StringUtils;

/**
 * Resolves {@code valkeyrie:} (and {@code optional:valkeyrie:}) to this application's
 * configuration folders, once the profiles are known. Everything after the prefix is
 * ignored: the folders come from {@code valkeyrie.config.*}.
 */
public class ValkeyrieConfigDataLocationResolver implements ConfigDataLocationResolver<ValkeyrieConfigDataResource> {

	@Override
	public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
		return location.hasPrefix(ValkeyrieConfigProperties.PREFIX);
	}

	@Override
	public List<ValkeyrieConfigDataResource> resolve(ConfigDataLocationResolverContext context,
			ConfigDataLocation location) {
		return List.of();
	}

	@Override
	public List<ValkeyrieConfigDataResource> resolveProfileSpecific(ConfigDataLocationResolverContext context,
			ConfigDataLocation location, Profiles profiles) {
		Binder binder = context.getBinder();
		ValkeyrieConfigProperties config = binder.bind("valkeyrie.config", ValkeyrieConfigProperties.class)
			.orElseGet(ValkeyrieConfigProperties::new);
		ValkeyrieProperties store = binder.bind("valkeyrie", ValkeyrieProperties.class)
			.orElseGet(ValkeyrieProperties::new);
		String name = binder.bind("spring.application.name", String.class).orElse(null);
		ValkeyrieConfigReader reader = reader(config, name, profiles.getActive());
		return List.of(new ValkeyrieConfigDataResource(reader, store, location.isOptional()));
	}

	/**
	 * The reader of an application's folders.
	 * @param config the {@code valkeyrie.config.*} properties
	 * @param applicationName {@code spring.application.name}, or {@code null}
	 * @param profiles the active profiles
	 * @return the reader
	 */
	static ValkeyrieConfigReader reader(ValkeyrieConfigProperties config, @Nullable String applicationName,
			List<String> profiles) {
		String name = config.getName();
		if (!StringUtils.hasText(name)) {
			name = StringUtils.hasText(applicationName) ? applicationName : config.getDefaultContext();
		}
		try {
			return new ValkeyrieConfigReader(config.getRoot(), config.getDefaultContext(), name, profiles,
					config.getProfileSeparator(), config.getFormat(), config.getDataKey());
		}
		catch (InvalidKeyException ex) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.config.root", config.getRoot(),
					"The configuration folders are not valid keys: " + ex.getMessage());
		}
	}

}
