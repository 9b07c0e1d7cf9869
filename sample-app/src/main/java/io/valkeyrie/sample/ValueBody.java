package io.valkeyrie.sample;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * Reads a request body as a value, refusing one larger than the store accepts before it is
 * in memory: a {@code Content-Length} over the limit is refused without reading a byte,
 * and a body without one (chunked) is read only up to one byte past the limit.
 */
final class ValueBody {

	private ValueBody() {
	}

	/**
	 * The body's bytes.
	 * @param request the request
	 * @param key the key, for the message
	 * @param maxSize the largest value the store accepts
	 * @return the value; empty for no body
	 * @throws ErrorResponseException 413 if the body is larger than {@code maxSize}
	 * @throws IOException if the body cannot be read
	 */
	static byte[] read(HttpServletRequest request, String key, int maxSize) throws IOException {
		long length = request.getContentLengthLong();
		if (length > maxSize) {
			throw tooLarge(key, "is " + length + " bytes", length, maxSize);
		}
		try (InputStream body = request.getInputStream()) {
			// readNBytes grows its buffer as bytes arrive: a short body never costs maxSize of memory.
			byte[] value = body.readNBytes(maxSize + 1);
			if (value.length > maxSize) {
				throw tooLarge(key, "is more than " + maxSize + " bytes", -1, maxSize);
			}
			return value;
		}
	}

	private static ErrorResponseException tooLarge(String key, String size, long length, int maxSize) {
		ErrorResponseException problem = Problems.problem(HttpStatus.PAYLOAD_TOO_LARGE, "Value too large",
				"Value of key '" + key + "' " + size + ", larger than the store's maximum of " + maxSize + " bytes",
				"ValueTooLargeException");
		if (length >= 0) {
			problem.getBody().setProperty("size", length);
		}
		problem.getBody().setProperty("maxSize", maxSize);
		return problem;
	}

}
