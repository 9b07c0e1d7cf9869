package io.valkeyrie.store.redis;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisReadOnlyException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.AsyncExecutions;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
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

	private volatile boolean functions;

	private volatile boolean fallbackLogged;

	/** The commands being waited for, cancelled by {@link #close()}: also on a factory the store does not own. */
	private final Set<Future<?>> inFlight = ConcurrentHashMap.newKeySet();

	private volatile boolean closed;

	RedisAccess(RedisConnectionFactory factory) {
		this.factory = factory;
	}

	/** End every call in flight at once (its caller sees the store closed) and every later one. */
	void close() {
		this.closed = true;
		for (Future<?> future : this.inFlight) {
			future.cancel(true);
		}
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
	<T> T lettuce(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		return call((connection) -> {
			RedisClusterAsyncCommands<byte[], byte[]> redis = commands(connection);
			return await(redis, command.apply(redis));
		});
	}

	/**
	 * Whether the server has sharded pub/sub ({@code SPUBLISH}, Redis 7.0+). A server that
	 * refuses {@code COMMAND INFO} (an ACL without it) is taken not to: plain pub/sub works everywhere.
	 */
	boolean hasShardedPubSub() {
		try {
			List<Object> info = lettuce((redis) -> redis.commandInfo("SPUBLISH"));
			return !info.isEmpty() && info.get(0) != null;
		}
		catch (StoreUnavailableException ex) {
			throw ex;
		}
		catch (StoreException ex) {
			logger.info("Redis refused COMMAND INFO ({}); publishing changes with PUBLISH, not sharded SPUBLISH", ex.getMessage());
			return false;
		}
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
			RedisClusterAsyncCommands<byte[], byte[]> redis = commands(connection);
			if (!loadLibrary(redis)) {
				for (RedisScript script : RedisScript.values()) {
					await(redis, redis.scriptLoad(script.body()));
				}
			}
			return null;
		});
	}

	private boolean loadLibrary(RedisClusterAsyncCommands<byte[], byte[]> redis) {
		try {
			// REPLACE: the name carries the text's hash, so a library of that name is this one.
			if (redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
				loadLibraryOnMasters(redis, cluster);
			}
			else {
				await(redis, redis.functionLoad(RedisScript.library(), true));
			}
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

	/**
	 * A function lives on the node it was loaded on (and its replicas): load it on every master
	 * that serves slots and is not known to have failed. A master that cannot be reached is
	 * skipped (it may not serve this namespace; if it does, its first "Function not found" loads
	 * the library again), unless no master took it.
	 */
	private void loadLibraryOnMasters(RedisClusterAsyncCommands<byte[], byte[]> redis,
			RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
		AsyncExecutions<String> loads = cluster.nodes((node) -> node.is(RedisClusterNode.NodeFlag.UPSTREAM)
				&& !node.is(RedisClusterNode.NodeFlag.FAIL) && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
				&& !node.getSlots().isEmpty()).commands().functionLoad(RedisScript.library(), true);
		RuntimeException failure = null;
		int loaded = 0;
		for (CompletableFuture<String> load : loads.futures()) {
			try {
				awaitNode(redis, load);
				loaded++;
			}
			catch (RedisReadOnlyException ex) {
				// The node was failed over to a replica since the topology was read: it gets the
				// library from its master.
				logger.debug("Redis Cluster node turned replica while loading the library", ex);
			}
			catch (RedisConnectionException | RedisCommandTimeoutException ex) {
				failure = ex;
				logger.debug("Redis Cluster node unreachable while loading the library", ex);
			}
		}
		if (loaded == 0 && failure != null) {
			throw failure;
		}
	}

	private <T> T run(RedisClusterAsyncCommands<byte[], byte[]> redis, RedisScript script, ScriptOutputType type, byte[][] keys,
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
	private static RedisClusterAsyncCommands<byte[], byte[]> commands(RedisConnection connection) {
		// Lettuce's commands of one connection (standalone, Sentinel), or of a Redis Cluster
		// connection that routes each command to the master of its key's slot.
		return (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
	}

	private <T> T await(RedisClusterAsyncCommands<byte[], byte[]> redis, RedisFuture<T> future) {
		track(future);
		try {
			return LettuceFutures.awaitOrCancel(future, timeout(redis).toNanos(), TimeUnit.NANOSECONDS);
		}
		finally {
			this.inFlight.remove(future);
		}
	}

	private void track(Future<?> future) {
		this.inFlight.add(future);
		if (this.closed) {
			// Closed while this call started: close() may have missed it.
			future.cancel(true);
		}
	}

	/** Wait for the result of one node of a cluster (no {@code RedisFuture}: Lettuce's own wait does not apply). */
	private <T> T awaitNode(RedisClusterAsyncCommands<byte[], byte[]> redis, CompletableFuture<T> future) {
		track(future);
		try {
			return future.get(timeout(redis).toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException cause) ? cause : new RedisException(ex.getCause());
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			throw new RedisCommandTimeoutException("Command timed out after " + timeout(redis));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisCommandInterruptedException(ex);
		}
		finally {
			this.inFlight.remove(future);
		}
	}

	@SuppressWarnings("unchecked")
	private static Duration timeout(RedisClusterAsyncCommands<byte[], byte[]> redis) {
		return (redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster)
				? cluster.getStatefulConnection().getTimeout()
				: ((RedisAsyncCommands<byte[], byte[]>) redis).getStatefulConnection().getTimeout();
	}

	/**
	 * End the commands waiting for an answer now (the store is closing); commands sent later,
	 * such as the release of held locks, run as usual.
	 */
	void endInFlight() {
		for (Future<?> future : this.inFlight) {
			if (future instanceof CompletableFuture<?> answer) {
				answer.completeExceptionally(new RedisException("the store is closing"));
			}
			else {
				future.cancel(true);
			}
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
		if (error != null && message != null && (message.startsWith("MOVED ") || message.startsWith("ASK "))) {
			// A single endpoint that is a node of a Redis Cluster: the store talks to it as to one server.
			return new StoreException("redis command failed: " + message + " (the endpoint is a node of a Redis Cluster: give the "
					+ "store several of its nodes, or option '" + RedisOptions.CLUSTER + "=true')", ex);
		}
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
