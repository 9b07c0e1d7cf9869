package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.store.StoreConfigurationException;

/**
 * The configured backend's client library is not on the classpath.
 */
public final class MissingClientLibraryException extends StoreConfigurationException {

	private static final long serialVersionUID = 1L;

	private final String backend;

	private final String dependency;

	MissingClientLibraryException(String backend, String dependency) {
		super("The " + backend + " backend needs its client library on the classpath; add the Maven dependency "
				+ dependency);
		this.backend = backend;
		this.dependency = dependency;
	}

	/** The backend name. */
	public String getBackend() {
		return this.backend;
	}

	/** The Maven dependency that brings the client library. */
	public String getDependency() {
		return this.dependency;
	}

}
