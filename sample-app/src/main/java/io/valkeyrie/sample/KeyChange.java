package io.valkeyrie.sample;

import org.jspecify.annotations.Nullable;

/**
 * One change as the live feed sends it to the browser.
 *
 * @param type {@code put}, {@code delete} or {@code resync} (changes may have been missed:
 * reload the list)
 * @param key the key that changed, or {@code null} for a resync
 * @param value the new value as UTF-8 text for a put, otherwise {@code null}
 * @param index the index of the change, {@code 0} for a resync
 */
public record KeyChange(String type, @Nullable String key, @Nullable String value, long index) {

	static KeyChange put(String key, String value, long index) {
		return new KeyChange("put", key, value, index);
	}

	static KeyChange delete(String key, long index) {
		return new KeyChange("delete", key, null, index);
	}

	static KeyChange resync() {
		return new KeyChange("resync", null, null, 0);
	}

}
