package io.valkeyrie.boot.autoconfigure.config;

import java.time.Duration;

import io.valkeyrie.boot.config.ValkeyrieConfigFormat;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of {@code spring.config.import=valkeyrie:}
 * ({@code valkeyrie.config.*}). They are read before the context starts, from the other
 * property sources (application.properties, the command line, the environment).
 */
@ConfigurationProperties("valkeyrie.config")
public class ValkeyrieConfigProperties {

	/** The prefix of the import location. */
	public static final String PREFIX = "valkeyrie:";

	/**
	 * Directory below which every application's configuration folders are kept.
	 */
	private String root = "config";

	/**
	 * Folder of this application. Defaults to 'spring.application.name', or the default
	 * context.
	 */
	private @Nullable String name;

	/**
	 * Folder every application reads, with the lowest precedence.
	 */
	private String defaultContext = "application";

	/**
	 * What joins a folder and a profile in a profile-specific folder's name.
	 */
	private String profileSeparator = ",";

	/**
	 * How the keys of a folder hold properties: key-value (each key a property), yaml or
	 * properties (the data key holds the text).
	 */
	private ValkeyrieConfigFormat format = ValkeyrieConfigFormat.KEY_VALUE;

	/**
	 * Key of the text in each folder with the yaml and properties formats.
	 */
	private String dataKey = "data";

	private final Watch watch = new Watch();

	public String getRoot() {
		return this.root;
	}

	public void setRoot(String root) {
		this.root = root;
	}

	public @Nullable String getName() {
		return this.name;
	}

	public void setName(@Nullable String name) {
		this.name = name;
	}

	public String getDefaultContext() {
		return this.defaultContext;
	}

	public void setDefaultContext(String defaultContext) {
		this.defaultContext = defaultContext;
	}

	public String getProfileSeparator() {
		return this.profileSeparator;
	}

	public void setProfileSeparator(String profileSeparator) {
		this.profileSeparator = profileSeparator;
	}

	public ValkeyrieConfigFormat getFormat() {
		return this.format;
	}

	public void setFormat(ValkeyrieConfigFormat format) {
		this.format = format;
	}

	public String getDataKey() {
		return this.dataKey;
	}

	public void setDataKey(String dataKey) {
		this.dataKey = dataKey;
	}

	public Watch getWatch() {
		return this.watch;
	}

	public static class Watch {

		/**
		 * Whether to refresh the configuration when it changes in the store.
		 */
		private boolean enabled = true;

		/**
		 * Quiet period after the last change before the refresh: a burst of changes
		 * refreshes once.
		 */
		private Duration delay = Duration.ofMillis(500);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getDelay() {
			return this.delay;
		}

		public void setDelay(Duration delay) {
			this.delay = delay;
		}

	}

}
