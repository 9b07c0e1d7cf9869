package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.StoreException;
import org.jspecify.annotations.Nullable;

/**
 * Where a namespace lives in Redis. Every Redis key of a namespace starts with
 * {@code <prefix>{<namespace>}:} (the namespace in a hash tag, so a namespace stays in one
 * Redis Cluster slot; {@code /} for the root namespace), followed by a one-letter kind:
 * <ul>
 * <li>{@code d:<key>} the data of a key: a string {@code <lastIndex>:<value>} (see {@link #pair})</li>
 * <li>{@code i} the index: a sorted set of every key, score 0, for {@code ZRANGE BYLEX}</li>
 * <li>{@code x} the expiry index: a sorted set of TTL keys scored by their expiry time</li>
 * <li>{@code n} the counter every write takes its lastIndex from</li>
 * <li>{@code h} the history stream, {@code w} the watcher registration that keeps it written</li>
 * <li>{@code e} the epoch marker, which tells that Redis lost the namespace's data (see {@code EpochGuard})</li>
 * <li>{@code l:<key>} the lock record of a key, {@code f:<key>} its fencing counter,
 * {@code w:<key>} its waiters</li>
 * </ul>
 * and the pub/sub channels {@code c} (changes) and {@code u:<store id>} (lock hand-overs, one per store),
 * in the same slot (shard channels on a Redis Cluster, see {@link #publishSharded}). Data keys are the
 * only ones under {@code d:}, so bookkeeping can never be mistaken for data. A namespace
 * containing {@code {}, {@code }} or {@code %} has them percent-encoded, so the hash tag
 * always ends at the namespace's end.
 */
final class RedisLayout {

	private final String base;

	private final byte[] dataPrefix;

	private final byte[] index;

	private final byte[] expiry;

	private final byte[] counter;

	private final byte[] history;

	private final byte[] watchers;

	private final byte[] changes;

	private final byte[] inlineValueLimit;

	private final byte[] historySize;

	private final byte[] historyAlways;

	private final byte[] unlocks;

	private final byte[][] scriptKeys;

	private static final byte[] PUBLISH = bytes("PUBLISH");

	private static final byte[] SPUBLISH = bytes("SPUBLISH");

	/** Set once, before the store's first script runs. */
	private volatile byte[] publish = PUBLISH;

	RedisLayout(String prefix, String namespace, int inlineValueLimit, int historySize, boolean historyAlways) {
		this.base = prefix + "{" + (namespace.isEmpty() ? "/" : escape(namespace)) + "}:";
		this.dataPrefix = bytes(this.base + "d:");
		this.index = bytes(this.base + "i");
		this.expiry = bytes(this.base + "x");
		this.counter = bytes(this.base + "n");
		this.history = bytes(this.base + "h");
		this.watchers = bytes(this.base + "w");
		this.changes = bytes(this.base + "c");
		this.inlineValueLimit = number(inlineValueLimit);
		this.historySize = number(historySize);
		this.historyAlways = number(historyAlways ? 1 : 0);
		this.unlocks = bytes(this.base + "u:");
		this.scriptKeys = new byte[][] { this.index, this.expiry, this.counter, this.history, this.watchers };
	}

	/**
	 * The keys of a namespace script ({@code common.lua}): the index, expiry, counter, history
	 * and watcher registration keys. One array for every call; never modified.
	 */
	byte[][] scriptKeys() {
		return this.scriptKeys;
	}

	/**
	 * The arguments of a namespace script ({@code common.lua}): the data key prefix, the
	 * change channel, the inline value limit, the history size, whether the history is
	 * always written and the publish command, then the script's own arguments.
	 */
	byte[][] scriptArgs(byte[]... own) {
		byte[][] all = new byte[6 + own.length][];
		all[0] = this.dataPrefix;
		all[1] = this.changes;
		all[2] = this.inlineValueLimit;
		all[3] = this.historySize;
		all[4] = this.historyAlways;
		all[5] = this.publish;
		System.arraycopy(own, 0, all, 6, own.length);
		return all;
	}

	/**
	 * Publish with {@code SPUBLISH} (sharded pub/sub, Redis 7.0+) instead of {@code PUBLISH}: on
	 * a Redis Cluster a shard channel lives on the master of its slot, which the channels'
	 * hash tag makes the namespace's, instead of being broadcast to every node.
	 */
	void publishSharded(boolean sharded) {
		this.publish = sharded ? SPUBLISH : PUBLISH;
	}

	boolean sharded() {
		return this.publish == SPUBLISH;
	}

	/** The command the scripts publish with: {@code PUBLISH} or {@code SPUBLISH}. */
	byte[] publishCommand() {
		return this.publish;
	}

	/** The common start of every Redis key of the namespace. */
	String base() {
		return this.base;
	}

	byte[] dataPrefix() {
		return this.dataPrefix;
	}

	byte[] data(String key) {
		return bytes(this.base + "d:" + key);
	}

	byte[] index() {
		return this.index;
	}

	byte[] expiry() {
		return this.expiry;
	}

	byte[] counter() {
		return this.counter;
	}

	byte[] lockRecord(String key) {
		return bytes(this.base + "l:" + key);
	}

	byte[] fence(String key) {
		return bytes(this.base + "f:" + key);
	}

	byte[] lockWaiters(String key) {
		return bytes(this.base + "w:" + key);
	}

	/** A channel of the namespace's slot that nobody subscribes to, to try {@code SPUBLISH} on. */
	byte[] probeChannel() {
		return bytes(this.base + "p");
	}

	byte[] changes() {
		return this.changes;
	}

	/** The prefix of the stores' unlock channels (the release script adds the store id of the waiter it hands the lock to). */
	byte[] unlocks() {
		return this.unlocks;
	}

	/** The unlock channel of the store with id {@code storeId} (see {@link RedisLockWaiters#storeId()}). */
	byte[] unlocks(String storeId) {
		return bytes(this.base + "u:" + storeId);
	}

	byte[] history() {
		return this.history;
	}

	byte[] watchers() {
		return this.watchers;
	}

	/**
	 * The pair a data entry holds: {@code <lastIndex>:<value>}, the index in decimal digits, so
	 * one {@code GET} reads both and scripts read the index alone with {@code GETRANGE}.
	 * @param key the key
	 * @param entry the entry, or {@code null} if the key does not exist
	 * @return the pair, or {@code null}
	 */
	static @Nullable KVPair pair(String key, byte @Nullable [] entry) {
		if (entry == null) {
			return null;
		}
		long index = 0;
		int i = 0;
		while (i < entry.length && entry[i] >= '0' && entry[i] <= '9') {
			index = index * 10 + (entry[i++] - '0');
		}
		if (i == 0 || i == entry.length || entry[i] != ':') {
			throw new StoreException("The redis data of key '" + key + "' is not a valkeyrie entry (written by something else?)");
		}
		return KVPair.wrap(key, Arrays.copyOfRange(entry, i + 1, entry.length), index);
	}

	static byte[] number(long value) {
		return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
	}

	static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String escape(String namespace) {
		StringBuilder out = new StringBuilder(namespace.length());
		for (int i = 0; i < namespace.length(); i++) {
			char c = namespace.charAt(i);
			switch (c) {
				case '%' -> out.append("%25");
				case '{' -> out.append("%7B");
				case '}' -> out.append("%7D");
				default -> out.append(c);
			}
		}
		return out.toString();
	}

}
