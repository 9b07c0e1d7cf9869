package io.valkeyrie.store.redis;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreUnavailableException;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands and scripts on a connection of the factory and turns every failure into
 * the store's exceptions: unreachable, timed out or temporarily unable to serve (loading,
 * read-only replica during a fail-over) is {@link StoreUnavailableException}.
 */
final class RedisAccess {

	private static final Logger logger = LoggerFactory.getLogger(RedisAccess.class);

	private final RedisConnectionFactory factory;

	private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

	private volatile boolean functions;

	private volatile boolean fallbackLogged;

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

	/**
	 * Run on Lettuce's own commands of a connection of the factory, without Spring Data's
	 * conversions in between: the paths every read and write takes.
	 */
	<T> T lettuce(Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		return call((connection) -> {
			RedisAsyncCommands<byte[], byte[]> redis = commands(connection);
			return await(redis, command.apply(redis));
		});
	}

	<T> T script(RedisScript script, ScriptOutputType type, byte[][] keys, byte[]... args) {
		return call((connection) -> run(commands(connection), script, type, keys, args));
	}

	long scriptLong(RedisScript script, byte[][] keys, byte[]... args) {
		Long result = script(script, ScriptOutputType.INTEGER, keys, args);
		return (result != null) ? result : 0;
	}

	/** Load the scripts (as a function library if the server allows), which also proves the server answers. */
	void loadScripts() {
		call((connection) -> {
			RedisAsyncCommands<byte[], byte[]> redis = commands(connection);
			if (!loadLibrary(redis)) {
				for (RedisScript script : RedisScript.values()) {
					await(redis, redis.scriptLoad(script.body()));
				}
			}
			return null;
		});
	}

	private boolean loadLibrary(RedisAsyncCommands<byte[], byte[]> redis) {
		try {
			// REPLACE: the name carries the text's hash, so a library of that name is this one.
			await(redis, redis.functionLoad(RedisScript.library(), true));
			this.functions = true;
		}
		catch (RedisCommandExecutionException ex) {
			if (isTransient(ex.getMessage())) {
				throw ex;
			}
			if (this.functions || !this.fallbackLogged) {
				this.fallbackLogged = true;
				logger.info("Redis refused to load the store's function library ({}); running its scripts with EVALSHA,"
						+ " which costs the server a few microseconds more per call", ex.getMessage());
			}
			this.functions = false;
		}
		return this.functions;
	}

	private <T> T run(RedisAsyncCommands<byte[], byte[]> redis, RedisScript script, ScriptOutputType type, byte[][] keys,
			byte[][] args) {
		if (this.functions) {
			try {
				return await(redis, redis.fcall(script.function(), type, keys, args));
			}
			catch (RedisCommandExecutionException ex) {
				if (!hasMessage(ex, "Function not found")) {
					throw ex;
				}
			}
			// The server lost the library (restart without persistence, fail-over, FUNCTION FLUSH).
			if (loadLibrary(redis)) {
				return await(redis, redis.fcall(script.function(), type, keys, args));
			}
		}
		try {
			return await(redis, redis.evalsha(script.sha(), type, keys, args));
		}
		catch (RedisCommandExecutionException ex) {
			if (!hasMessage(ex, "NOSCRIPT")) {
				throw ex;
			}
			// The server forgot the script (restart, fail-over, SCRIPT FLUSH): EVAL loads it again.
			return await(redis, redis.eval(script.body(), type, keys, args));
		}
	}

	@SuppressWarnings("unchecked")
	private static RedisAsyncCommands<byte[], byte[]> commands(RedisConnection connection) {
		// Standalone and Sentinel (the store refuses Cluster): Lettuce's commands of one connection.
		return (RedisAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
	}

	private <T> T await(RedisAsyncCommands<byte[], byte[]> redis, RedisFuture<T> future) {
		Duration timeout = redis.getStatefulConnection().getTimeout();
		CompletableFuture<T> answer = future.toCompletableFuture();
		this.inFlight.add(answer);
		try {
			return LettuceFutures.awaitOrCancel(future, timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		finally {
			this.inFlight.remove(answer);
		}
	}

	/**
	 * End the commands waiting for an answer now (the store is closing); commands sent later,
	 * such as the release of held locks, run as usual.
	 */
	void endInFlight() {
		for (CompletableFuture<?> answer : this.inFlight) {
			answer.completeExceptionally(new RedisException("the store is closing"));
		}
	}

	private static boolean hasMessage(Throwable ex, String text) {
		return ex.getMessage() != null && ex.getMessage().contains(text);
	}

	static StoreException translate(RuntimeException ex) {
		if (find(ex, io.lettuce.core.RedisCommandInterruptedException.class) != null) {
			// Lettuce has set the interrupt status again.
			return new StoreInterruptedException("Interrupted during a redis command", ex);
		}
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
