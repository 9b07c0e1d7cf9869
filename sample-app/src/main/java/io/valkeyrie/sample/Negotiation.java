package io.valkeyrie.sample;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Which representation of a key a client asked for: its raw bytes only when
 * {@code Accept} names {@code application/octet-stream} and prefers it to JSON. A wildcard
 * ({@code *}{@code /*}, a browser's default) means JSON.
 */
final class Negotiation {

	private Negotiation() {
	}

	static boolean prefersBytes(@Nullable String accept) {
		if (accept == null || accept.isBlank()) {
			return false;
		}
		List<MediaType> types;
		try {
			types = MediaType.parseMediaTypes(accept);
		}
		catch (InvalidMediaTypeException ex) {
			// An Accept the server cannot read: the default representation.
			return false;
		}
		double bytes = 0;
		double json = 0;
		for (MediaType type : types) {
			if (type.equalsTypeAndSubtype(MediaType.APPLICATION_OCTET_STREAM)) {
				bytes = Math.max(bytes, type.getQualityValue());
			}
			if (type.includes(MediaType.APPLICATION_JSON)) {
				json = Math.max(json, type.getQualityValue());
			}
		}
		return bytes > 0 && bytes >= json;
	}

}
