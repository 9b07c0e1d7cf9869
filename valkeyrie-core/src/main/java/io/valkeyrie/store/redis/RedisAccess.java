package io.valkeyrie.store.redis;

import java.util.function.Function;

import io.lettuce.core.RedisCommandExecutionException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;

/**
 * Runs commands and scripts on a connection of the factory and turns every failure into
 * the store's exceptions: unreachable, timed out or temporarily unable to serve (loading,
 * read-only replica during a fail-over) is {@link StoreUnavailableException}.
 */
final class RedisAccess {

	private final RedisConnectionFactory factory;

	RedisAccess(RedisConnectionFactory factory) {
		this.factory = factory;
	}

	<T> T call(Function<RedisConnection, T> action) {
		try (RedisConnection connection = this.factory.getConnection()) {
			return action.apply(connection);
		}
		catch (DataAccessException | io.lettuce.core.RedisException ex) {
			throw translate(ex);
		}
	}

	/** A connection of its own (for the subscription); the caller closes it. */
	RedisConnection connection() {
		try {
			return this.factory.getConnection();
		}
		catch (DataAccessException | io.lettuce.core.RedisException ex) {
			throw translate(ex);
		}
	}

	<T> T script(RedisScript script, ReturnType type, int keys, byte[]... keysAndArgs) {
		return call((connection) -> run(connection, script, type, keys, keysAndArgs));
	}

	long scriptLong(RedisScript script, int keys, byte[]... keysAndArgs) {
		Long result = script(script, ReturnType.INTEGER, keys, keysAndArgs);
		return (result != null) ? result : 0;
	}

	/** Load every script, which also proves the server answers. */
	void loadScripts() {
		call((connection) -> {
			for (RedisScript script : RedisScript.values()) {
				connection.scriptingCommands().scriptLoad(script.body());
			}
			return null;
		});
	}

	private static <T> T run(RedisConnection connection, RedisScript script, ReturnType type, int keys,
			byte[]... keysAndArgs) {
		try {
			return connection.scriptingCommands().evalSha(script.sha(), type, keys, keysAndArgs);
		}
		catch (RuntimeException ex) {
			if (!isNoScript(ex)) {
				throw ex;
			}
			// The server forgot the script (restart, fail-over, SCRIPT FLUSH): EVAL loads it again.
			return connection.scriptingCommands().eval(script.body(), type, keys, keysAndArgs);
		}
	}

	private static boolean isNoScript(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
				return true;
			}
		}
		return false;
	}

	static StoreException translate(RuntimeException ex) {
		RedisCommandExecutionException error = find(ex, RedisCommandExecutionException.class);
		String message = (error != null) ? error.getMessage() : describe(ex);
		if (error != null && !isTransient(error.getMessage())) {
			return new StoreException("redis command failed: " + message, ex);
		}
		return new StoreUnavailableException("redis", message, ex);
	}

	private static boolean isTransient(String message) {
		if (message == null) {
			return false;
		}
		for (String code : new String[] { "LOADING", "READONLY", "MASTERDOWN", "BUSY", "TRYAGAIN", "CLUSTERDOWN",
				"NOREPLICAS" }) {
			if (message.startsWith(code)) {
				return true;
			}
		}
		return false;
	}

	private static String describe(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String text = (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
		return (root != ex && root.getMessage() != null) ? text + " (" + root.getMessage() + ")" : text;
	}

	private static <E extends Throwable> E find(Throwable ex, Class<E> type) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

}
