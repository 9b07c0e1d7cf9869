package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.valkeyrie.store.internal.EpochGuard;

import org.jspecify.annotations.Nullable;

/**
 * The namespace's epoch marker in Redis: the string {@code <base>e} of the namespace (see
 * {@link RedisLayout}), gone with everything else when Redis restarts without persistence
 * or is flushed.
 */
final class RedisEpochMarker implements EpochGuard.Marker {

	/** Replace the marker only if it still holds the expected text. */
	private static final String REPLACE = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

	private final RedisAccess access;

	private final byte[] key;

	RedisEpochMarker(RedisAccess access, RedisLayout layout) {
		this.access = access;
		this.key = RedisLayout.bytes(layout.base() + "e");
	}

	@Override
	public @Nullable String read() {
		byte[] text = this.access.lettuce((redis) -> redis.get(this.key));
		return (text != null) ? new String(text, StandardCharsets.UTF_8) : null;
	}

	@Override
	public boolean create(String text) {
		return "OK".equals(this.access.lettuce((redis) -> redis.set(this.key, bytes(text), SetArgs.Builder.nx())));
	}

	@Override
	public boolean replace(String expected, String text) {
		Long done = this.access.lettuce((redis) -> redis.<Long>eval(REPLACE, ScriptOutputType.INTEGER, new byte[][] { this.key },
				bytes(expected), bytes(text)));
		return done != null && done == 1;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
