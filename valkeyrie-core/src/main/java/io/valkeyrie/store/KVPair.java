package io.valkeyrie.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable key, value and version triple as the store returns it.
 * <p>
 * The key is in normal form ({@code a/b}, relative to the store's namespace). The value is
 * copied on the way in and on the way out, so a caller can never change a pair it shares.
 * {@code lastIndex} is the version compare-and-swap compares: it is greater than zero and
 * changes on every write of the key.
 */
public final class KVPair {

	private static final byte[] EMPTY = new byte[0];

	private final String key;

	private final byte[] value;

	private final long lastIndex;

	private KVPair(String key, byte[] value, long lastIndex) {
		this.key = Objects.requireNonNull(key, "'key' must not be null");
		this.value = value;
		this.lastIndex = lastIndex;
	}

	/**
	 * Create a pair; a {@code null} value becomes an empty one.
	 * @param key the key in normal form
	 * @param value the value (copied)
	 * @param lastIndex the version of the key
	 * @return the pair
	 */
	public static KVPair of(String key, byte[] value, long lastIndex) {
		return new KVPair(key, (value != null) ? value.clone() : EMPTY, lastIndex);
	}

	/**
	 * Create a pair that takes ownership of {@code value} without copying it. For backends
	 * that build a fresh array per read and never touch it again.
	 * @param key the key in normal form
	 * @param value a fresh array the caller gives up
	 * @param lastIndex the version of the key
	 * @return the pair
	 */
	public static KVPair wrap(String key, byte[] value, long lastIndex) {
		return new KVPair(key, (value != null) ? value : EMPTY, lastIndex);
	}

	/** The key in normal form, relative to the store's namespace. */
	public String key() {
		return this.key;
	}

	/** A copy of the value; never {@code null}, empty when {@code null} was stored. */
	public byte[] value() {
		return (this.value.length == 0) ? EMPTY : this.value.clone();
	}

	/** The value decoded as UTF-8. */
	public String valueAsString() {
		return new String(this.value, StandardCharsets.UTF_8);
	}

	/** The size of the value in bytes, without copying it. */
	public int valueLength() {
		return this.value.length;
	}

	/** The version of the key; compare-and-swap compares it. */
	public long lastIndex() {
		return this.lastIndex;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		return (other instanceof KVPair that) && this.lastIndex == that.lastIndex && this.key.equals(that.key)
				&& Arrays.equals(this.value, that.value);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.key, this.lastIndex) * 31 + Arrays.hashCode(this.value);
	}

	@Override
	public String toString() {
		return "KVPair[key=" + this.key + ", lastIndex=" + this.lastIndex + ", value=" + this.value.length + " bytes]";
	}

}
