package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * The calling thread was interrupted while it waited; its interrupt status is kept.
 */
public class StoreInterruptedException extends StoreException {

	private static final long serialVersionUID = 1L;

	public StoreInterruptedException(String message) {
		super(message);
	}

	public StoreInterruptedException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
