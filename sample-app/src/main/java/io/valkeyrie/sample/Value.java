package io.valkeyrie.sample;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A value as JSON carries it: a value is bytes, so the text is the value itself when the
 * bytes are valid UTF-8 ({@code encoding: "utf-8"}), otherwise their Base64 (RFC 4648,
 * standard alphabet, padded: {@code encoding: "base64"}).
 *
 * @param text the value as text
 * @param encoding {@code utf-8} or {@code base64}
 */
record Value(String text, String encoding) {

	static final String UTF_8 = "utf-8";

	static final String BASE64 = "base64";

	static Value of(byte[] bytes) {
		try {
			// A strict decoder: the lenient String constructor would turn bad bytes into U+FFFD and lose them.
			String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
			return new Value(text, UTF_8);
		}
		catch (CharacterCodingException ex) {
			return new Value(Base64.getEncoder().encodeToString(bytes), BASE64);
		}
	}

}
