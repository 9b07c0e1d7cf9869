package io.valkeyrie.boot.autoconfigure.metadata;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the Spring Integration metadata store
 * ({@code valkeyrie.metadata.*}).
 */
@ConfigurationProperties("valkeyrie.metadata")
public class ValkeyrieMetadataProperties {

	/**
	 * Whether to back Spring Integration's 'metadataStore' bean with the store.
	 */
	private boolean enabled = true;

	/**
	 * Directory below which metadata entries are kept, one key per entry.
	 */
	private String prefix = "metadata";

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPrefix() {
		return this.prefix;
	}

	public void setPrefix(String prefix) {
		this.prefix = prefix;
	}

}
