package io.valkeyrie.boot.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.internal.Keys;

import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * Reads the configuration of one application from a {@link Store}, laid out as Spring
 * Cloud Consul lays it out: the folders {@code <root>/<default-context>},
 * {@code <root>/<default-context><sep><profile>}, {@code <root>/<name>} and
 * {@code <root>/<name><sep><profile>}, each overriding the ones before it (and later
 * profiles overriding earlier ones).
 * <p>
 * Immutable and thread-safe; {@link #read} makes one request per folder.
 */
public final class ValkeyrieConfigReader {

	private final String root;

	private final List<String> contexts;

	private final ValkeyrieConfigFormat format;

	private final String dataKey;

	/**
	 * Create a reader.
	 * @param root the directory of every application's configuration
	 * @param defaultContext the folder every application reads ({@code application})
	 * @param name this application's folder
	 * @param profiles the active profiles, in order
	 * @param profileSeparator what joins a folder and a profile ({@code ,})
	 * @param format how the keys hold properties
	 * @param dataKey the key of the text with {@link ValkeyrieConfigFormat#YAML} or
	 * {@link ValkeyrieConfigFormat#PROPERTIES}
	 */
	public ValkeyrieConfigReader(String root, String defaultContext, String name, List<String> profiles,
			String profileSeparator, ValkeyrieConfigFormat format, String dataKey) {
		this.root = Keys.dir(root);
		this.format = Objects.requireNonNull(format, "'format' must not be null");
		this.dataKey = Keys.key(dataKey);
		List<String> contexts = new ArrayList<>();
		for (String base : (name.equals(defaultContext)) ? List.of(defaultContext) : List.of(defaultContext, name)) {
			contexts.add(Keys.join(this.root, Keys.key(base)));
			for (String profile : profiles) {
				contexts.add(Keys.join(this.root, Keys.key(base + profileSeparator + profile)));
			}
		}
		this.contexts = List.copyOf(contexts);
	}

	/** The folders read, lowest precedence first. */
	public List<String> getContexts() {
		return this.contexts;
	}

	/** A description of where properties come from, for logs and errors. */
	public String describe() {
		return this.contexts.toString();
	}

	/**
	 * Read every folder and merge them, later folders overriding earlier ones.
	 * @param store the store
	 * @return the properties, by name
	 * @throws io.valkeyrie.store.StoreException if the store cannot be read
	 */
	public Map<String, Object> read(Store store) {
		Map<String, Object> properties = new LinkedHashMap<>();
		for (String context : this.contexts) {
			properties.putAll(readContext(store, context));
		}
		return properties;
	}

	private Map<String, Object> readContext(Store store, String context) {
		if (this.format == ValkeyrieConfigFormat.KEY_VALUE) {
			Map<String, Object> properties = new LinkedHashMap<>();
			List<KVPair> pairs;
			try {
				pairs = store.list(context);
			}
			catch (KeyNotFoundException ex) {
				return properties;
			}
			for (KVPair pair : pairs) {
				properties.put(Keys.relativize(context, pair.key()).replace('/', '.'), pair.valueAsString());
			}
			return properties;
		}
		String key = Keys.join(context, this.dataKey);
		Optional<KVPair> text = store.find(key);
		return text.isPresent() ? parse(key, text.get().value()) : Map.of();
	}

	private Map<String, Object> parse(String key, byte[] text) {
		PropertySourceLoader loader = (this.format == ValkeyrieConfigFormat.YAML) ? new YamlPropertySourceLoader()
				: new PropertiesPropertySourceLoader();
		Map<String, Object> properties = new LinkedHashMap<>();
		try {
			for (PropertySource<?> source : loader.load(key, new ByteArrayResource(text, key))) {
				if (source instanceof EnumerablePropertySource<?> enumerable) {
					for (String name : enumerable.getPropertyNames()) {
						Object value = enumerable.getProperty(name);
						// A later document of the same text overrides an earlier one.
						if (value != null) {
							properties.put(name, value);
						}
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot parse '" + key + "' as " + this.format, ex);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Cannot parse '" + key + "' as " + this.format + ": " + ex.getMessage(), ex);
		}
		return properties;
	}

	/** Whether a key is one this reader reads. */
	public boolean isRead(String key) {
		for (String context : this.contexts) {
			if (Keys.isBelow(key, context)) {
				return true;
			}
		}
		return false;
	}

}
