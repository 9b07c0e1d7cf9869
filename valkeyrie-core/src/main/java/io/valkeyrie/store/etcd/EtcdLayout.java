package io.valkeyrie.store.etcd;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.etcd.jetcd.ByteSequence;
import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.internal.Keys;

import org.jspecify.annotations.Nullable;

/**
 * Where a store's data and bookkeeping live in etcd's flat key space.
 * <p>
 * A key {@code k} of namespace {@code ns} is the etcd key {@code ns/k} (just {@code k} in the
 * root namespace), in UTF-8, so other etcd clients read and write the same keys. Lock records
 * live under {@code "\0valkeyrie/locks/"}: valid keys never hold control characters, so no
 * store key, and no range a store lists or watches (those start at {@code ' '}), can reach
 * them, whatever the namespace.
 */
final class EtcdLayout {

	/** The first byte a valid key can start with: every smaller byte is a control character. */
	private static final ByteSequence ROOT_START = ByteSequence.from(new byte[] { ' ' });

	/** etcd's "every key from the start on" range end. */
	private static final ByteSequence TO_THE_END = ByteSequence.from(new byte[] { 0 });

	private static final String LOCKS = "\0valkeyrie/locks/";

	private final String prefix;

	EtcdLayout(String namespace) {
		this.prefix = Keys.childPrefix(namespace);
	}

	/** The etcd key of a store key. */
	ByteSequence key(String key) {
		return bytes(this.prefix + key);
	}

	/** The first etcd key strictly below {@code dir} ({@code ""} for the namespace root). */
	ByteSequence rangeStart(String dir) {
		String start = this.prefix + Keys.childPrefix(dir);
		return start.isEmpty() ? ROOT_START : bytes(start);
	}

	/** The end (exclusive) of the etcd range of every key strictly below {@code dir}. */
	ByteSequence rangeEnd(String dir) {
		String start = this.prefix + Keys.childPrefix(dir);
		return start.isEmpty() ? TO_THE_END : prefixEnd(bytes(start));
	}

	/**
	 * The store key of an etcd key, or {@code null} when it is not one of this store's keys in
	 * normal form (written by another client as {@code a//b}, {@code /a}, non-UTF-8...).
	 */
	@Nullable String relative(ByteSequence etcdKey) {
		String full = decode(etcdKey.getBytes());
		if (full == null || !full.startsWith(this.prefix) || full.length() == this.prefix.length()) {
			return null;
		}
		String key = full.substring(this.prefix.length());
		try {
			return Keys.key(key).equals(key) ? key : null;
		}
		catch (InvalidKeyException ex) {
			// Not a key this API can name: invisible through the store, like any foreign data.
			return null;
		}
	}

	/**
	 * The prefix of the lock records of {@code key}: the full key path, so stores with nested
	 * namespaces that name the same etcd key share its lock, closed by a {@code \0} so the
	 * records of {@code a} and {@code a/b} never share a prefix.
	 */
	ByteSequence lockPrefix(String key) {
		return bytes(LOCKS + this.prefix + key + "\0");
	}

	/** One lock record of {@code key}, named after the lease that owns it. */
	ByteSequence lockRecord(String key, long leaseId) {
		return bytes(LOCKS + this.prefix + key + "\0" + Long.toHexString(leaseId));
	}

	static ByteSequence bytes(String value) {
		return ByteSequence.from(value, StandardCharsets.UTF_8);
	}

	/** The smallest key greater than every key starting with {@code prefix}. */
	static ByteSequence prefixEnd(ByteSequence prefix) {
		byte[] end = prefix.getBytes();
		for (int i = end.length - 1; i >= 0; i--) {
			if (end[i] != (byte) 0xFF) {
				end[i]++;
				byte[] cut = new byte[i + 1];
				System.arraycopy(end, 0, cut, 0, i + 1);
				return ByteSequence.from(cut);
			}
		}
		return TO_THE_END;
	}

	private static @Nullable String decode(byte[] bytes) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			// Not UTF-8: written by another client, and no store key maps to it.
			return null;
		}
	}

}
