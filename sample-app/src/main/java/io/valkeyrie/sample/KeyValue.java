package io.valkeyrie.sample;

import io.valkeyrie.store.KVPair;

/**
 * A key as the API shows it: the value as UTF-8 text and the index that compare-and-set
 * ({@code If-Match}) compares.
 *
 * @param key the key in normal form
 * @param value the value decoded as UTF-8
 * @param index the key's {@code lastIndex}
 */
public record KeyValue(String key, String value, long index) {

	static KeyValue of(KVPair pair) {
		return new KeyValue(pair.key(), pair.valueAsString(), pair.lastIndex());
	}

}
