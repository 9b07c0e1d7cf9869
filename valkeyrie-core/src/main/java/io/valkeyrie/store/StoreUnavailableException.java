package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * The backend could not be reached or did not answer within the store's timeout. The store
 * keeps trying to reconnect by itself; the call can be retried.
 */
public class StoreUnavailableException extends StoreException {

	private static final long serialVersionUID = 1L;

	private final String backend;

	public StoreUnavailableException(String backend, String message, @Nullable Throwable cause) {
		super(backend + " store unavailable: " + message, cause);
		this.backend = backend;
	}

	/** The backend name ({@code etcd}, {@code consul}, ...). */
	public String backend() {
		return this.backend;
	}

}
