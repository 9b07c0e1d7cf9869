package io.valkeyrie.store;

/**
 * A value is larger than the store's configured maximum; thrown before any I/O, nothing is
 * written.
 */
public class ValueTooLargeException extends StoreException {

	private static final long serialVersionUID = 1L;

	private final int size;

	private final int maxSize;

	public ValueTooLargeException(String key, int size, int maxSize) {
		super("Value of key '" + key + "' is " + size + " bytes, larger than the store's maximum of " + maxSize
				+ " bytes; store less, or raise the maximum value size up to the backend's limit");
		this.size = size;
		this.maxSize = maxSize;
	}

	/** The size of the refused value in bytes. */
	public int size() {
		return this.size;
	}

	/** The store's maximum value size in bytes. */
	public int maxSize() {
		return this.maxSize;
	}

}
