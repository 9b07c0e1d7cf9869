package io.valkeyrie.store.internal;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Hides credentials in what the stores print: the password of an endpoint's user info
 * ({@code redis://user:secret@host:6379} becomes {@code redis://user:******@host:6379}).
 */
public final class Secrets {

	private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(://[^/@:]*):[^/@]*@");

	private Secrets() {
	}

	/** The endpoint with any password in its user info masked. */
	public static String endpoint(String endpoint) {
		return USER_INFO_PASSWORD.matcher(endpoint).replaceFirst("$1:******@");
	}

	/** The endpoints with any password in their user info masked. */
	public static List<String> endpoints(List<String> endpoints) {
		return endpoints.stream().map(Secrets::endpoint).toList();
	}

}
