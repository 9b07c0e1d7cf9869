package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * {@code atomicDelete} was called without the previous pair it must compare.
 */
public class PreviousNotSpecifiedException extends StoreException {

	private static final long serialVersionUID = 1L;

	public PreviousNotSpecifiedException(String message) {
		super(message);
	}

	public PreviousNotSpecifiedException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
