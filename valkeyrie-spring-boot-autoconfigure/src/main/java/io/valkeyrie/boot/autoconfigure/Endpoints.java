package io.valkeyrie.boot.autoconfigure;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Endpoints as they may be shown: without the user information of URLs such as
 * {@code redis://user:secret@host:6379}.
 */
public final class Endpoints {

	private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@]*@");

	private Endpoints() {
	}

	/**
	 * Remove credentials from endpoints.
	 * @param endpoints the endpoints as configured
	 * @return the endpoints without user information
	 */
	public static List<String> withoutCredentials(List<String> endpoints) {
		return endpoints.stream().map((endpoint) -> USER_INFO.matcher(endpoint).replaceFirst("")).toList();
	}

}
