package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * {@code unlock} was called on a lock this object does not hold (never acquired, released, or lost).
 */
public class LockNotHeldException extends StoreException {

	private static final long serialVersionUID = 1L;

	public LockNotHeldException(String message) {
		super(message);
	}

	public LockNotHeldException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
