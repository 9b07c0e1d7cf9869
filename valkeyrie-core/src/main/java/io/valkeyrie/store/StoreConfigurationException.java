package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * The store cannot be opened as configured: unknown backend, missing client library, or invalid settings. The message says what to change.
 */
public class StoreConfigurationException extends StoreException {

	private static final long serialVersionUID = 1L;

	public StoreConfigurationException(String message) {
		super(message);
	}

	public StoreConfigurationException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
