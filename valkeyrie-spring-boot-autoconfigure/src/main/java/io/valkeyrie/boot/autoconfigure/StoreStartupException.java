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

		/** TLS: no authority in the trust material signed the server's certificate. */
		UNTRUSTED_CERTIFICATE("the server's TLS certificate is not trusted"),

		/** TLS: the server's certificate does not name the host the store connected to. */
		HOSTNAME_MISMATCH("the server's TLS certificate does not match its host name"),

		/** TLS: the server wants a client certificate it trusts, and got none or another. */
		CLIENT_CERTIFICATE_REFUSED("the server refused the TLS client certificate"),

		/** TLS failed for another reason (protocol, cipher, a plain server behind a TLS endpoint). */
		TLS("the TLS handshake failed"),

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

	/**
	 * The TLS failure in the causes, from the JDK's own messages (every client library here
	 * uses the JDK's TLS): trust, then host name, then the server's alerts about our certificate.
	 */
	private static Kind tlsKindOf(Throwable failure) {
		boolean handshake = false;
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			String message = String.valueOf(cause.getMessage());
			if (message.contains("PKIX path") || message.contains("unable to find valid certification path")
					|| cause instanceof java.security.cert.CertPathValidatorException) {
				return Kind.UNTRUSTED_CERTIFICATE;
			}
			if (message.contains("No subject alternative") || message.contains("No name matching")
					|| message.contains("doesn't match any of the subject alternative names")) {
				return Kind.HOSTNAME_MISMATCH;
			}
			// The JDK names TLS alerts in lower case, OpenSSL (netty-tcnative) in upper case.
			String alert = message.toLowerCase(Locale.ROOT);
			if (alert.contains("bad_certificate") || alert.contains("certificate_required")
					|| alert.contains("unknown_ca") || alert.contains("certificate_unknown")) {
				return Kind.CLIENT_CERTIFICATE_REFUSED;
			}
			handshake |= cause instanceof javax.net.ssl.SSLException;
		}
		return handshake ? Kind.TLS : null;
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
		Kind tls = tlsKindOf(failure);
		if (tls != null) {
			return tls;
		}
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
