package io.valkeyrie.boot.autoconfigure;

import java.util.Set;

import io.valkeyrie.store.StoreConfigurationException;

/**
 * {@code valkeyrie.backend} names a backend no provider on the classpath offers.
 */
public final class NoSuchBackendException extends StoreConfigurationException {

	private static final long serialVersionUID = 1L;

	private final String backend;

	private final Set<String> available;

	NoSuchBackendException(String backend, Set<String> available) {
		super("Unknown valkeyrie backend '" + backend + "'; valid backends are " + String.join(", ", available));
		this.backend = backend;
		this.available = Set.copyOf(available);
	}

	/** The backend name as configured. */
	public String getBackend() {
		return this.backend;
	}

	/** The backends on the classpath. */
	public Set<String> getAvailable() {
		return this.available;
	}

}
