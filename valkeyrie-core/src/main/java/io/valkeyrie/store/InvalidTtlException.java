package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * A TTL the backend cannot honour, such as one below the store's minimum; the message names the minimum and the server setting behind it.
 */
public class InvalidTtlException extends StoreException {

	private static final long serialVersionUID = 1L;

	public InvalidTtlException(String message) {
		super(message);
	}

	public InvalidTtlException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
