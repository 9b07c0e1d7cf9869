package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception the store throws. Each failure has its own subclass, so
 * callers tell them apart with {@code catch} or {@code instanceof}, never by parsing
 * messages. Messages never contain credentials.
 */
public class StoreException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public StoreException(String message) {
		super(message);
	}

	public StoreException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
