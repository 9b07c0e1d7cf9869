package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * A create-only write ({@code atomicPut} with no previous pair) found the key already there.
 */
public class KeyExistsException extends StoreException {

	private static final long serialVersionUID = 1L;

	public KeyExistsException(String message) {
		super(message);
	}

	public KeyExistsException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
