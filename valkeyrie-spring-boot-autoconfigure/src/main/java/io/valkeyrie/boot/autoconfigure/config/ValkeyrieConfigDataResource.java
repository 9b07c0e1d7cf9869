package io.valkeyrie.boot.autoconfigure.config;

import java.util.Objects;

import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties;
import io.valkeyrie.boot.config.ValkeyrieConfigReader;

import org.springframework.boot.context.config.ConfigDataResource;

/**
 * The configuration folders of one application in the store, with the store settings to
 * read them with.
 */
public final class ValkeyrieConfigDataResource extends ConfigDataResource {

	private final ValkeyrieConfigReader reader;

	private final ValkeyrieProperties storeProperties;

	private final boolean optional;

	ValkeyrieConfigDataResource(ValkeyrieConfigReader reader, ValkeyrieProperties storeProperties, boolean optional) {
		super(optional);
		this.reader = reader;
		this.storeProperties = storeProperties;
		this.optional = optional;
	}

	/** Whether the import was {@code optional:valkeyrie:}. */
	boolean isOptionalImport() {
		return this.optional;
	}

	/** What is read. */
	public ValkeyrieConfigReader getReader() {
		return this.reader;
	}

	ValkeyrieProperties getStoreProperties() {
		return this.storeProperties;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof ValkeyrieConfigDataResource that
				&& this.reader.getContexts().equals(that.reader.getContexts());
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.reader.getContexts());
	}

	@Override
	public String toString() {
		return ValkeyrieConfigProperties.PREFIX + this.reader.describe();
	}

}
