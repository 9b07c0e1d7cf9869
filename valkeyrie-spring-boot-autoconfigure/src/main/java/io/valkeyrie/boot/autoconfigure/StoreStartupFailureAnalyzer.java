package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.boot.autoconfigure.StoreStartupException.Kind;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link StoreStartupException}: the backend, the address tried, the kind of
 * failure with its root cause, and the settings to change.
 */
class StoreStartupFailureAnalyzer extends AbstractFailureAnalyzer<StoreStartupException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, StoreStartupException cause) {
		return new FailureAnalysis(description(cause), action(cause), cause);
	}

	private static String description(StoreStartupException failure) {
		StringBuilder description = new StringBuilder("The valkeyrie ").append(failure.getBackend())
			.append(" store could not start: ")
			.append(failure.getKind().description());
		if (failure.getKind() != Kind.CONFIGURATION) {
			description.append(" at ").append(StoreStartupException.describe(failure.getEndpoints()));
		}
		else if (!failure.getEndpoints().isEmpty()) {
			description.append(" (endpoints ").append(String.join(", ", failure.getEndpoints())).append(')');
		}
		Throwable reason = failure.getCause();
		description.append(".\n\n").append(reason.getMessage());
		Throwable root = reason;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		// The root cause (a refused connection, the server's own error) is often what the
		// store's message summarises away, as gRPC's "UNAVAILABLE: io exception" does.
		if (root != reason && root.getMessage() != null && !reason.getMessage().contains(root.getMessage())) {
			description.append("\nCause: ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage());
		}
		return description.toString();
	}

	private static String action(StoreStartupException failure) {
		String backend = failure.getBackend();
		String settings = failure.getSettings();
		return switch (failure.getKind()) {
			case AUTHENTICATION -> "Check the credentials the " + backend + " server expects: set "
					+ (backend.equals("consul") ? setting(settings, "token")
							: setting(settings, "username") + " and " + setting(settings, "password"))
					+ " to an account the server accepts.";
			case UNTRUSTED_CERTIFICATE -> "Trust the authority that signed the " + backend + " server's certificate: put "
					+ "its CA certificate in the trust material of the SSL bundle named by " + setting(settings, "ssl.bundle")
					+ " (spring.ssl.bundle.*.truststore).";
			case HOSTNAME_MISMATCH -> "Connect to a host name the " + backend + " server's certificate names (its "
					+ "subject alternative names), in " + setting(settings, "endpoints")
					+ ", or have the certificate issued for the name used.";
			case CLIENT_CERTIFICATE_REFUSED -> "The " + backend + " server requires a client certificate signed by an "
					+ "authority it trusts: put one in the keystore of the SSL bundle named by "
					+ setting(settings, "ssl.bundle") + " (spring.ssl.bundle.*.keystore).";
			case TLS -> "Check that the " + backend + " server speaks TLS at " + setting(settings, "endpoints")
					+ " and that the SSL bundle named by " + setting(settings, "ssl.bundle") + " matches its settings.";
			case UNREACHABLE -> "Make sure the " + backend + " servers are running and reachable from this host, or "
					+ "point " + (settings.equals("spring.data.redis") ? "spring.data.redis.host and spring.data.redis.port"
							: setting(settings, "endpoints"))
					+ " at them.";
			case CONFIGURATION -> backend.equals("local")
					? "Give this application a file of its own with valkeyrie.local.path (or stop the process that "
							+ "has the file open), or correct the setting the message names."
					: "Correct the setting the message names in " + setting(settings, "*") + " (options the backend "
							+ "documents go in " + setting(settings, "options.<name>") + ").";
		};
	}

	/** A property under a prefix, or the same setting of a bean that supplies the connection. */
	private static String setting(String settings, String name) {
		return settings.startsWith("the ") ? "the " + name + " of " + settings : settings + "." + name;
	}

}
