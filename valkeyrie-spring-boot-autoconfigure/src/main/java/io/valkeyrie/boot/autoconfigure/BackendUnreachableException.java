package io.valkeyrie.boot.autoconfigure;

import java.util.List;

import io.valkeyrie.store.StoreUnavailableException;

/**
 * The backend could not be reached while the application started.
 */
public final class BackendUnreachableException extends StoreUnavailableException {

	private static final long serialVersionUID = 1L;

	private final List<String> endpoints;

	BackendUnreachableException(String backend, List<String> endpoints, StoreUnavailableException cause) {
		super(backend, "cannot open the store at " + describe(endpoints), cause);
		this.endpoints = List.copyOf(endpoints);
	}

	/** The endpoints the store tried, without credentials; empty for the backend's default. */
	public List<String> getEndpoints() {
		return this.endpoints;
	}

	static String describe(List<String> endpoints) {
		return endpoints.isEmpty() ? "the backend's default address" : String.join(", ", endpoints);
	}

}
