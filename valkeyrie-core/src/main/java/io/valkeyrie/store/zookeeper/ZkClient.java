package io.valkeyrie.store.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.BackendOptions;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

import org.jspecify.annotations.Nullable;

/**
 * Bounded calls on the ZooKeeper handle Curator manages. Every call is awaited until a
 * deadline (sent asynchronously, or for the single reads and transactions of the store's
 * calls synchronously through {@link BlockingCalls}, which saves a thread hand-off), so
 * nothing blocks longer than the store's request timeout
 * and nothing is retried behind the caller's back (a retried versioned write could report a
 * conflict with itself). Connection-level failures become {@link StoreUnavailableException};
 * the answers a caller handles ({@code NONODE}, {@code NODEEXISTS}, {@code BADVERSION},
 * {@code NOTEMPTY}) stay {@link KeeperException}s.
 */
final class ZkClient {

	static final String BACKEND = "zookeeper";

	private final CuratorFramework curator;

	private final List<ACL> acl;

	private final long timeoutNanos;

	private final BlockingCalls blocking;

	/** The answers callers wait for now: a closing store ends them at once. */
	private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

	private volatile boolean closed;

	ZkClient(CuratorFramework curator, boolean restrictAcl, long timeoutNanos) {
		this.curator = curator;
		this.acl = restrictAcl ? ZooDefs.Ids.CREATOR_ALL_ACL : ZooDefs.Ids.OPEN_ACL_UNSAFE;
		this.timeoutNanos = timeoutNanos;
		this.blocking = new BlockingCalls(timeoutNanos);
	}

	/** A znode's data and stat. */
	record Node(byte[] data, Stat stat) {
	}

	CuratorFramework curator() {
		return this.curator;
	}

	List<ACL> acl() {
		return this.acl;
	}

	/** A deadline one request timeout from now. */
	long deadline() {
		return System.nanoTime() + this.timeoutNanos;
	}

	/** Whether the client is connected right now. */
	boolean isConnected() {
		return this.curator.getZookeeperClient().isConnected();
	}

	/** The handle, waiting for a connection until the deadline. */
	ZooKeeper zk(long deadline) {
		if (!isConnected()) {
			long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			try {
				if (millis <= 0 || !this.curator.blockUntilConnected((int) Math.min(Integer.MAX_VALUE, millis),
						TimeUnit.MILLISECONDS)) {
					throw new StoreUnavailableException(BACKEND, "not connected to "
							+ this.curator.getZookeeperClient().getCurrentConnectionString() + " within the request timeout", null);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new StoreInterruptedException("Interrupted while waiting for the ZooKeeper connection", ex);
			}
		}
		return handle();
	}

	/** The current handle without waiting; requests fail fast when it is not connected. */
	ZooKeeper handle() {
		try {
			return this.curator.getZookeeperClient().getZooKeeper();
		}
		catch (Exception ex) {
			throw new StoreUnavailableException(BACKEND, "no ZooKeeper connection: " + ex.getMessage(), ex);
		}
	}

	// ---- Asynchronous requests ---------------------------------------------------------

	CompletableFuture<@Nullable Node> getDataAsync(ZooKeeper zk, String path) {
		CompletableFuture<@Nullable Node> future = new CompletableFuture<>();
		zk.getData(path, false, (rc, p, ctx, data, stat) -> completeOrAbsent(future, rc, p,
				(stat != null) ? new Node((data != null) ? data : Envelope.DIRECTORY, stat) : null), null);
		return future;
	}

	CompletableFuture<@Nullable List<String>> getChildrenAsync(ZooKeeper zk, String path) {
		return getChildrenAsync(zk, path, null);
	}

	/** List the children; a {@code watcher} fires once on the next change of the children (if the znode exists). */
	CompletableFuture<@Nullable List<String>> getChildrenAsync(ZooKeeper zk, String path,
			org.apache.zookeeper.@Nullable Watcher watcher) {
		CompletableFuture<@Nullable List<String>> future = new CompletableFuture<>();
		zk.getChildren(path, watcher, (rc, p, ctx, children) -> completeOrAbsent(future, rc, p, children), null);
		return future;
	}

	/** Add a persistent recursive watch on {@code path} (which need not exist yet). */
	CompletableFuture<Boolean> watchRecursivelyAsync(ZooKeeper zk, String path, org.apache.zookeeper.Watcher watcher) {
		CompletableFuture<Boolean> added = new CompletableFuture<>();
		zk.addWatch(path, watcher, AddWatchMode.PERSISTENT_RECURSIVE,
				(rc, p, ctx) -> complete(added, rc, p, Boolean.TRUE), null);
		return added;
	}

	/** Make the next reads on this session see every write committed before now (linearizable reads). */
	void sync(ZooKeeper zk, String path) {
		zk.sync(path, (rc, p, ctx) -> {
			// Only its place in the session's request order matters; a failure shows in the read after it.
		}, null);
	}

	// ---- Bounded requests --------------------------------------------------------------

	@Nullable Node getData(String path, boolean sync, long deadline) throws KeeperException {
		return this.blocking.call(zk(deadline), deadline, (zk) -> {
			if (sync) {
				sync(zk, path);
			}
			Stat stat = new Stat();
			try {
				byte[] data = zk.getData(path, false, stat);
				return new Node((data != null) ? data : Envelope.DIRECTORY, stat);
			}
			catch (KeeperException.NoNodeException ex) {
				return null;
			}
		});
	}

	Stat create(String path, byte[] data, CreateMode mode, long deadline) throws KeeperException {
		CompletableFuture<Stat> future = new CompletableFuture<>();
		zk(deadline).create(path, data, this.acl, mode, (rc, p, ctx, name, stat) -> complete(future, rc, p, stat), null);
		return await(future, deadline);
	}

	/** Create a znode and, where missing, its parents (as directories, or containers for bookkeeping). */
	Stat createWithParents(String path, byte[] data, CreateMode mode, CreateMode parentMode, long deadline)
			throws KeeperException {
		for (int attempt = 0;; attempt++) {
			try {
				return create(path, data, mode, deadline);
			}
			catch (KeeperException.NoNodeException ex) {
				if (attempt >= 5) {
					throw ex;
				}
				createParents(path, parentMode, deadline);
			}
		}
	}

	/** The created path (for sequential znodes) and its stat. */
	record Created(String path, Stat stat) {
	}

	/** Send a create that answers with the created path (for sequential znodes) and its stat. */
	CompletableFuture<Created> createAsync(ZooKeeper zk, String path, byte[] data, CreateMode mode) {
		CompletableFuture<Created> future = new CompletableFuture<>();
		zk.create(path, data, this.acl, mode,
				(rc, p, ctx, name, stat) -> complete(future, rc, p, (name != null) ? new Created(name, stat) : null), null);
		return future;
	}

	/** Create the missing ancestors of {@code path} (not {@code path} itself). */
	void createParents(String path, CreateMode parentMode, long deadline) throws KeeperException {
		int slash = path.indexOf('/', 1);
		while (slash > 0) {
			try {
				create(path.substring(0, slash), Envelope.DIRECTORY, parentMode, deadline);
			}
			catch (KeeperException.NodeExistsException ex) {
				// Already there: what we need.
			}
			slash = path.indexOf('/', slash + 1);
		}
	}

	/** The stat of a znode, {@code null} if absent; {@code watcher} fires once on its next change. */
	@Nullable Stat exists(String path, org.apache.zookeeper.Watcher watcher, long deadline) throws KeeperException {
		return await(existsAsync(zk(deadline), path, watcher), deadline);
	}

	CompletableFuture<@Nullable Stat> existsAsync(ZooKeeper zk, String path, org.apache.zookeeper.Watcher watcher) {
		CompletableFuture<@Nullable Stat> future = new CompletableFuture<>();
		zk.exists(path, watcher, (rc, p, ctx, stat) -> completeOrAbsent(future, rc, p, stat), null);
		return future;
	}

	/** Forget a watcher nobody waits for any more. */
	void removeWatcherQuietly(String path, org.apache.zookeeper.Watcher watcher) {
		try {
			handle().removeWatches(path, watcher, org.apache.zookeeper.Watcher.WatcherType.Any, true, (rc, p, ctx) -> {
				// NOWATCHER: it fired already; anything else: it goes with the session.
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: the watcher is dropped with the session or fires harmlessly once.
		}
	}

	Stat setData(String path, byte[] data, int version, long deadline) throws KeeperException {
		CompletableFuture<Stat> future = new CompletableFuture<>();
		zk(deadline).setData(path, data, version, (rc, p, ctx, stat) -> complete(future, rc, p, stat), null);
		return await(future, deadline);
	}

	void delete(String path, int version, long deadline) throws KeeperException {
		CompletableFuture<Boolean> future = new CompletableFuture<>();
		zk(deadline).delete(path, version, (rc, p, ctx) -> complete(future, rc, p, Boolean.TRUE), null);
		await(future, deadline);
	}

	/**
	 * Run a transaction; a failed operation is thrown as its own {@link KeeperException},
	 * with the operation's path.
	 */
	List<OpResult> multi(List<Op> ops, long deadline) throws KeeperException {
		return this.blocking.call(zk(deadline), deadline, (zk) -> {
			try {
				return zk.multi(ops);
			}
			catch (KeeperException ex) {
				int failed = failedOp(ex.getResults());
				if (failed < 0) {
					throw ex;
				}
				throw KeeperException.create(Code.get(((OpResult.ErrorResult) ex.getResults().get(failed)).getErr()),
						ops.get(failed).getPath());
			}
		});
	}

	/** The index of the operation that made a transaction fail, -1 if none says so. */
	static int failedOp(@Nullable List<OpResult> results) {
		if (results != null) {
			for (int i = 0; i < results.size(); i++) {
				if (results.get(i) instanceof OpResult.ErrorResult error && error.getErr() != Code.OK.intValue()
						&& error.getErr() != Code.RUNTIMEINCONSISTENCY.intValue()) {
					return i;
				}
			}
		}
		return -1;
	}

	/**
	 * Delete a znode of this session without waiting, and again after the next reconnect if
	 * the connection is down: a contender znode left behind would block a lock for as long
	 * as the session lives. Safe on any thread.
	 */
	void deleteEventually(String path) {
		whenConnected(() -> handle().delete(path, -1, (rc, p, ctx) -> {
			if (rc == Code.CONNECTIONLOSS.intValue() || rc == Code.OPERATIONTIMEOUT.intValue()) {
				deleteEventually(path);
			}
			// Anything else: deleted, gone already, or gone with an expired session.
		}, null));
	}

	/**
	 * Run {@code action} (which must not block) now if connected, else once the connection is
	 * back.
	 */
	void whenConnected(Runnable action) {
		ConnectionStateListener listener = new ConnectionStateListener() {

			private final AtomicBoolean done = new AtomicBoolean();

			@Override
			public void stateChanged(CuratorFramework client, ConnectionState state) {
				if (state.isConnected() && this.done.compareAndSet(false, true)) {
					client.getConnectionStateListenable().removeListener(this);
					runQuietly(action);
				}
			}

		};
		this.curator.getConnectionStateListenable().addListener(listener);
		// Connected already (or since the check): run now instead of waiting for a change.
		if (isConnected()) {
			listener.stateChanged(this.curator, ConnectionState.CONNECTED);
		}
	}

	private static void runQuietly(Runnable action) {
		try {
			action.run();
		}
		catch (RuntimeException ex) {
			// Lost the connection again: the request failed and its callback asks for another round.
		}
	}

	private static <T> void complete(CompletableFuture<T> future, int rc, String path, @Nullable T value) {
		if (rc == Code.OK.intValue()) {
			future.complete(value);
		}
		else {
			future.completeExceptionally(KeeperException.create(Code.get(rc), path));
		}
	}

	/** Like {@link #complete}, with {@code NONODE} as a {@code null} answer. */
	private static <T> void completeOrAbsent(CompletableFuture<@Nullable T> future, int rc, String path, @Nullable T value) {
		if (rc == Code.NONODE.intValue()) {
			future.complete(null);
		}
		else {
			complete(future, rc, path, value);
		}
	}

	/** Wait for an answer until the deadline. */
	<T> T await(CompletableFuture<T> future, long deadline) throws KeeperException {
		this.inFlight.add(future);
		try {
			if (this.closed) {
				future.completeExceptionally(new StoreClosedException("The zookeeper store is closed"));
			}
			return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			throw new StoreUnavailableException(BACKEND,
					"no answer within the request timeout of " + BackendOptions.format(Duration.ofNanos(this.timeoutNanos)), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreInterruptedException("Interrupted while waiting for ZooKeeper", ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof KeeperException keeper) {
				throw translate(keeper);
			}
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new StoreException("ZooKeeper request failed: " + cause, cause);
		}
		finally {
			this.inFlight.remove(future);
		}
	}

	/** End every call waiting for an answer now, and every later one, with a {@link StoreClosedException}. */
	void close() {
		this.closed = true;
		this.blocking.close();
		endInFlight();
	}

	/** End every call waiting for an answer now with a {@link StoreClosedException} (the store closes). */
	void endInFlight() {
		this.blocking.endCalls();
		for (CompletableFuture<?> future : this.inFlight) {
			future.completeExceptionally(new StoreClosedException("The zookeeper store was closed"));
		}
	}

	/**
	 * Throw connection-level failures as {@link StoreUnavailableException} and refused
	 * access as {@link StoreException}; return every other answer for the caller to throw.
	 */
	static KeeperException translate(KeeperException ex) {
		switch (ex.code()) {
			case CONNECTIONLOSS, OPERATIONTIMEOUT, SESSIONEXPIRED, SESSIONMOVED, NOTREADONLY, REQUESTTIMEOUT,
					THROTTLEDOP, NEWCONFIGNOQUORUM, RECONFIGINPROGRESS, SYSTEMERROR, MARSHALLINGERROR ->
				throw new StoreUnavailableException(BACKEND, ex.getMessage(), ex);
			case NOAUTH, AUTHFAILED, INVALIDACL, SESSIONCLOSEDREQUIRESASLAUTH ->
				throw new StoreException("ZooKeeper refused access: " + ex.getMessage(), ex);
			default -> {
				return ex;
			}
		}
	}

}
