package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * A compare-and-swap found the key at another {@code lastIndex} than the previous pair's.
 */
public class KeyModifiedException extends StoreException {

	private static final long serialVersionUID = 1L;

	public KeyModifiedException(String message) {
		super(message);
	}

	public KeyModifiedException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
