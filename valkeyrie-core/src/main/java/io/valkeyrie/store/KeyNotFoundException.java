package io.valkeyrie.store;

/**
 * The key (or, for {@code list} and {@code deleteTree}, anything at or below it) does not
 * exist.
 */
public class KeyNotFoundException extends StoreException {

	private static final long serialVersionUID = 1L;

	private final String key;

	public KeyNotFoundException(String key) {
		super("Key not found: '" + key + "'");
		this.key = key;
	}

	/** The key in normal form. */
	public String key() {
		return this.key;
	}

}
