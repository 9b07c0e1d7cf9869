package io.valkeyrie.sample;

import org.jspecify.annotations.Nullable;

/**
 * One change as the live feed sends it to the browser, in a {@code change} event whose id
 * is {@link #index()}.
 *
 * @param type {@code put} or {@code delete}
 * @param key the key that changed
 * @param value the new value for a put (text, or Base64 as {@link #encoding()} says),
 * otherwise {@code null}
 * @param encoding {@code utf-8} or {@code base64} for a put, otherwise {@code null}
 * @param index the index of the change: the key's new {@code lastIndex}, or the delete's
 */
public record KeyChange(String type, String key, @Nullable String value, @Nullable String encoding, long index) {

	static KeyChange put(String key, byte[] bytes, long index) {
		Value value = Value.of(bytes);
		return new KeyChange("put", key, value.text(), value.encoding(), index);
	}

	static KeyChange delete(String key, long index) {
		return new KeyChange("delete", key, null, null, index);
	}

}
