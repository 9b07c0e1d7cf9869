package io.valkeyrie.sample;

import io.valkeyrie.store.KVPair;

/**
 * A key as the JSON API shows it: the value (see {@link Value} for how bytes that are not
 * UTF-8 text are encoded) and the index that compare-and-set ({@code If-Match}) compares.
 *
 * @param key the key in normal form
 * @param value the value: its text, or its Base64 if it is not UTF-8
 * @param encoding {@code utf-8} or {@code base64}
 * @param index the key's {@code lastIndex}
 */
public record KeyValue(String key, String value, String encoding, long index) {

	static KeyValue of(KVPair pair) {
		Value value = Value.of(pair.value());
		return new KeyValue(pair.key(), value.text(), value.encoding(), pair.lastIndex());
	}

}
