package io.valkeyrie.boot.autoconfigure;

import java.util.List;
import java.util.Locale;

import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreException;

/**
 * The store could not be opened while the application started: which backend, the
 * addresses tried, what kind of failure it was and which settings to change.
 * {@link StoreStartupFailureAnalyzer} turns it into the startup failure report.
 */
public final class StoreStartupException extends StoreException {

	private static final long serialVersionUID = 1L;

	/** What went wrong, as far as the user is concerned. */
	public enum Kind {

		/** The server refused the credentials, or the store gave none where some are needed. */
		AUTHENTICATION("authentication failed"),

		/** No server answered at the addresses tried. */
		UNREACHABLE("its servers are unreachable"),

		/** The configuration was refused before any server was asked (or by the store itself). */
		CONFIGURATION("its configuration was refused");

		private final String description;

		Kind(String description) {
			this.description = description;
		}

		String description() {
			return this.description;
		}

	}

	/** Words with which servers and their clients report refused credentials. */
	private static final List<String> AUTHENTICATION_SIGNS = List.of("wrongpass", "noauth", "unauthenticated",
			"authentication failed", "invalid auth token", "acl not found", "permission denied", "authfailed",
			"auth failed");

	private final String backend;

	private final List<String> endpoints;

	private final Kind kind;

	private final String settings;

	StoreStartupException(String backend, List<String> endpoints, String settings, StoreException cause) {
		super("The valkeyrie " + backend + " store could not start: " + kindOf(backend, cause).description() + " ("
				+ describe(endpoints) + ")", cause);
		this.backend = backend;
		this.endpoints = List.copyOf(endpoints);
		this.kind = kindOf(backend, cause);
		this.settings = settings;
	}

	/** The backend name ({@code etcd}, {@code redis}, ...). */
	public String getBackend() {
		return this.backend;
	}

	/** The endpoints the store tried, without credentials; empty for the backend's default. */
	public List<String> getEndpoints() {
		return this.endpoints;
	}

	/** What kind of failure it was. */
	public Kind getKind() {
		return this.kind;
	}

	/**
	 * Where the connection settings came from: a property prefix such as
	 * {@code valkeyrie.etcd} or {@code spring.data.redis}, or a bean's description.
	 */
	public String getSettings() {
		return this.settings;
	}

	static String describe(List<String> endpoints) {
		return endpoints.isEmpty() ? "the backend's default address" : String.join(", ", endpoints);
	}

	static Kind kindOf(String backend, Throwable failure) {
		// A local file's "Permission denied" is about the file system, not credentials.
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
			if (!backend.equals("local") && AUTHENTICATION_SIGNS.stream().anyMatch(message::contains)) {
				return Kind.AUTHENTICATION;
			}
		}
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof StoreConfigurationException) {
				return Kind.CONFIGURATION;
			}
		}
		return Kind.UNREACHABLE;
	}

}
