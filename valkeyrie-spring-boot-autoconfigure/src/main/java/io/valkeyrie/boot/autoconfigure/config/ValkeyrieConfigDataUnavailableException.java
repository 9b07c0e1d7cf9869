package io.valkeyrie.boot.autoconfigure.config;

import java.util.List;

import org.springframework.boot.context.config.ConfigDataException;

/**
 * Thrown when {@code spring.config.import=valkeyrie:} (without {@code optional:}) cannot
 * read the store at startup.
 */
public class ValkeyrieConfigDataUnavailableException extends ConfigDataException {

	private final String backend;

	private final List<String> endpoints;

	private final List<String> folders;

	ValkeyrieConfigDataUnavailableException(String backend, List<String> endpoints, List<String> folders,
			Throwable cause) {
		super("Cannot read configuration " + folders + " from the " + backend + " store at " + endpoints + ": "
				+ cause.getMessage(), cause);
		this.backend = backend;
		this.endpoints = List.copyOf(endpoints);
		this.folders = List.copyOf(folders);
	}

	/** The backend that was asked. */
	public String getBackend() {
		return this.backend;
	}

	/** Its endpoints, without credentials. */
	public List<String> getEndpoints() {
		return this.endpoints;
	}

	/** The folders (key prefixes) that were to be read. */
	public List<String> getFolders() {
		return this.folders;
	}

}
