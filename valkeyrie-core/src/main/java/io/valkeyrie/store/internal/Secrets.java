package io.valkeyrie.store.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Hides credentials in what the stores print: the password of an endpoint's user info
 * ({@code redis://user:secret@host:6379} becomes {@code redis://user:******@host:6379});
 * turns secrets into the bytes a client library takes without a {@code String} in between.
 */
public final class Secrets {

	private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(://[^/@:]*):[^/@]*@");

	private Secrets() {
	}

	/** The endpoint with any password in its user info masked. */
	public static String endpoint(String endpoint) {
		return USER_INFO_PASSWORD.matcher(endpoint).replaceFirst("$1:******@");
	}

	/**
	 * The UTF-8 bytes of a secret, without a {@code String} in between; the characters and
	 * the encoder's buffer are wiped, the bytes are the caller's to wipe.
	 */
	public static byte[] utf8(char[] secret) {
		ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
		byte[] bytes = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
		Arrays.fill(encoded.array(), (byte) 0);
		Arrays.fill(secret, '\0');
		return bytes;
	}

	/** The endpoints with any password in their user info masked. */
	public static List<String> endpoints(List<String> endpoints) {
		return endpoints.stream().map(Secrets::endpoint).toList();
	}

}
