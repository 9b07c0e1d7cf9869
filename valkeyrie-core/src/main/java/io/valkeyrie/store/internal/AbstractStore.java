package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.valkeyrie.store.InvalidTtlException;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.PreviousNotSpecifiedException;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.ValueTooLargeException;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchListener;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * The template every backend extends. It applies the contract's rules once, before any
 * I/O (key normal form and validation, value size, TTL minimum, closed state, null
 * previous), turns "absent" answers into {@link KeyNotFoundException}, owns the shared
 * threads (a scheduler and the watch delivery pool) and the {@link WatchHub}, and closes
 * everything in order. Backends implement the {@code do*} methods on normal, validated,
 * namespace-relative keys.
 */
public abstract class AbstractStore implements Store, WatchSource {

	private static final Logger logger = LoggerFactory.getLogger(AbstractStore.class);

	private static final byte[] EMPTY = new byte[0];

	/** The most threads watch delivery grows to while listeners are stuck. */
	private static final int MAX_DELIVERY_THREADS = 64;

	/** A key no one writes, read to prove the server answers. */
	private static final String SERVER_PROBE_KEY = "valkeyrie-server-probe";

	private static final AtomicInteger STORE_IDS = new AtomicInteger();

	private final String backend;

	private final StoreConfig config;

	private final ScheduledThreadPoolExecutor scheduler;

	private final DeliveryExecutor deliveryExecutor;

	private final WatchHub hub;

	private final EpochGuard epochs;

	private final Reachability reachability;

	private final Set<AbstractStoreLock<?>> heldLocks = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean closed = new AtomicBoolean();

	/** Run first thing on close: they wake the callers waiting for something (a lock, a watch registration). */
	private final Set<Runnable> closeHooks = ConcurrentHashMap.newKeySet();

	/** Lock releases and attempt clean-ups the close still sends, side by side. */
	private final CloseWork closeWork;

	/** The thread running {@link #close()}. */
	private volatile @Nullable Thread closingThread;

	/** When ({@link System#nanoTime()}) the close gives up on the server; set by the closing thread. */
	private volatile long closeDeadline;

	protected AbstractStore(String backend, StoreConfig config) {
		this.backend = backend;
		this.config = config;
		int id = STORE_IDS.incrementAndGet();
		this.scheduler = new ScheduledThreadPoolExecutor(1, threads("valkeyrie-" + backend + "-" + id + "-scheduler"));
		this.scheduler.setRemoveOnCancelPolicy(true);
		this.scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		this.deliveryExecutor = new DeliveryExecutor(config.watchThreads(), MAX_DELIVERY_THREADS,
				threads("valkeyrie-" + backend + "-" + id + "-watch"), this.scheduler);
		this.epochs = new EpochGuard(backend);
		this.closeWork = new CloseWork(threads("valkeyrie-" + backend + "-" + id + "-close"));
		this.hub = new WatchHub(backend, this, this.deliveryExecutor, this.scheduler, this.epochs);
		this.reachability = new Reachability(backend + " store (namespace '" + config.namespace() + "', endpoints "
				+ Secrets.endpoints(config.endpoints()) + ")");
	}

	// ---- What each backend implements -------------------------------------------------

	/** Write a key; {@code value} is non-null and within the size limit, the TTL valid. */
	protected abstract void doPut(String key, byte[] value, WriteOptions options);

	/** Read a key, {@code null} if absent. */
	protected abstract @Nullable KVPair doGet(String key, ReadOptions options);

	/** Delete one key; {@code false} if it did not exist. */
	protected abstract boolean doDelete(String key);

	/**
	 * Every key strictly below {@code dir}, sorted by key; {@code null} if nothing exists at
	 * or below {@code dir}.
	 */
	protected abstract @Nullable List<KVPair> doList(String dir, ReadOptions options);

	/** Delete {@code dir} and everything below it; {@code false} if nothing was there. */
	protected abstract boolean doDeleteTree(String dir);

	/** Compare-and-swap write; {@code previous} null means create-only. */
	protected abstract KVPair doAtomicPut(String key, byte[] value, @Nullable KVPair previous, WriteOptions options);

	/** Compare-and-swap delete; {@code previous} is non-null. */
	protected abstract void doAtomicDelete(String key, KVPair previous);

	/** A new, not held lock; key, TTL and value are already validated. */
	protected abstract StoreLock doNewLock(String key, LockOptions options);

	/** Release the backend's connections; locks and watches are already closed. */
	protected abstract void doClose();

	/** Why {@link #minimumTtl()} is what it is, naming the server setting behind it. */
	protected abstract String minimumTtlReason();

	/**
	 * What the server says about itself ({@code version}, {@code leader}, ...); one round trip.
	 * The default only proves the server answers.
	 */
	protected Map<String, Object> doServerInfo() {
		doExists(SERVER_PROBE_KEY, ReadOptions.STALE);
		return Map.of();
	}

	/** Whether a key exists; backends override when they have a cheaper test than a read. */
	protected boolean doExists(String key, ReadOptions options) {
		return doGet(key, options) != null;
	}

	// ---- Store ------------------------------------------------------------------------

	@Override
	public final String backend() {
		return this.backend;
	}

	@Override
	public final String namespace() {
		return this.config.namespace();
	}

	@Override
	public int maxValueSize() {
		return this.config.maxValueSize();
	}

	@Override
	public final List<String> endpoints() {
		return Secrets.endpoints(this.config.endpoints());
	}

	@Override
	public final Map<String, Object> serverInfo() {
		ensureOpen();
		return Map.copyOf(call("serverInfo", "", this::doServerInfo));
	}

	/** The configuration the store was opened with. */
	public final StoreConfig config() {
		return this.config;
	}

	@Override
	public final void put(String key, byte @Nullable [] value, WriteOptions options) {
		String k = Keys.key(key);
		byte[] v = checkValue(k, value);
		checkTtl(options.ttl());
		ensureOpen();
		run("put", k, () -> doPut(k, v, options));
	}

	@Override
	public final KVPair get(String key, ReadOptions options) {
		String k = Keys.key(key);
		ensureOpen();
		KVPair pair = call("get", k, () -> doGet(k, options));
		if (pair == null) {
			throw new KeyNotFoundException(k);
		}
		return this.epochs.toClient(pair);
	}

	@Override
	public final Optional<KVPair> find(String key) {
		String k = Keys.key(key);
		ensureOpen();
		return Optional.ofNullable(call("get", k, () -> doGet(k, ReadOptions.CONSISTENT))).map(this.epochs::toClient);
	}

	@Override
	public final boolean exists(String key, ReadOptions options) {
		String k = Keys.key(key);
		ensureOpen();
		return call("exists", k, () -> doExists(k, options));
	}

	@Override
	public final void delete(String key) {
		String k = Keys.key(key);
		ensureOpen();
		if (!call("delete", k, () -> doDelete(k))) {
			throw new KeyNotFoundException(k);
		}
	}

	@Override
	public final List<KVPair> list(String dir, ReadOptions options) {
		String d = Keys.dir(dir);
		ensureOpen();
		List<KVPair> pairs = call("list", d, () -> doList(d, options));
		if (pairs == null) {
			throw new KeyNotFoundException(d);
		}
		return this.epochs.toClient(pairs);
	}

	@Override
	public final void deleteTree(String dir) {
		String d = Keys.dir(dir);
		ensureOpen();
		if (!call("deleteTree", d, () -> doDeleteTree(d))) {
			throw new KeyNotFoundException(d);
		}
	}

	@Override
	public final KVPair atomicPut(String key, byte @Nullable [] value, @Nullable KVPair previous, WriteOptions options) {
		String k = Keys.key(key);
		byte[] v = checkValue(k, value);
		checkTtl(options.ttl());
		ensureOpen();
		long before = this.epochs.highestWrite();
		KVPair written = call("atomicPut", k, () -> doAtomicPut(k, v, (previous != null) ? serverPair(k, previous) : null, options));
		long index = this.epochs.written(written.lastIndex(), before);
		return (index == written.lastIndex()) ? written : KVPair.wrap(written.key(), written.value(), index);
	}

	@Override
	public final void atomicDelete(String key, @Nullable KVPair previous) {
		String k = Keys.key(key);
		if (previous == null) {
			throw new PreviousNotSpecifiedException("atomicDelete of '" + k + "' needs the previous pair to compare; use delete to remove it unconditionally");
		}
		ensureOpen();
		run("atomicDelete", k, () -> doAtomicDelete(k, serverPair(k, previous)));
	}

	@Override
	public final Watch watch(String key, WatchOptions options, WatchListener listener) {
		String k = Keys.key(key);
		ensureOpen();
		return call("watch", k, () -> this.hub.register(k, false, options, listener));
	}

	@Override
	public final Watch watchTree(String dir, WatchOptions options, WatchListener listener) {
		String d = Keys.dir(dir);
		ensureOpen();
		return call("watchTree", d, () -> this.hub.register(d, true, options, listener));
	}

	@Override
	public final StoreLock newLock(String key, LockOptions options) {
		String k = Keys.key(key);
		if (options.ttl() == null) {
			// Not chosen by the caller: the default, raised to what this server can honour.
			Duration min = minimumTtl();
			options = options.withTtl((min.compareTo(LockOptions.DEFAULT_TTL) > 0) ? min : LockOptions.DEFAULT_TTL);
		}
		checkTtl(options.ttl());
		if (options.renew() && options.ttl().compareTo(minimumLockTtl()) < 0) {
			throw new InvalidTtlException("Lock TTL " + BackendOptions.format(options.ttl()) + " is below the " + this.backend
					+ " store's minimum lock TTL of " + BackendOptions.format(minimumLockTtl()) + ": a held lock renews itself every third of "
					+ "its TTL, and a shorter TTL cannot be kept renewed on a busy machine (a lock without renewal may be shorter)");
		}
		byte[] value = options.value();
		if (value != null) {
			checkValue(k, value);
		}
		ensureOpen();
		return doNewLock(k, options);
	}

	@Override
	public final boolean isClosed() {
		return this.closed.get();
	}

	/**
	 * Wake every waiter, tell every holder its lock is lost ({@link io.valkeyrie.store.LockLoss.Reason#STORE_CLOSED}),
	 * release the held locks side by side and wait for them at most one request timeout in
	 * all (however many), then close the watches and the backend's connections within what
	 * is left of it. A release the server did not confirm by then is left to its expiry.
	 */
	@Override
	public final void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		this.closingThread = Thread.currentThread();
		long deadline = System.nanoTime() + saturatedNanos(requestTimeout());
		this.closeDeadline = deadline;
		for (Runnable hook : List.copyOf(this.closeHooks)) {
			try {
				hook.run();
			}
			catch (RuntimeException ex) {
				// A waiter that cannot be woken still sees the closed store at its next check.
				logger.debug("A close hook of the {} store failed", this.backend, ex);
			}
		}
		this.closeHooks.clear();
		for (AbstractStoreLock<?> lock : List.copyOf(this.heldLocks)) {
			Runnable release = lock.endOnClose();
			if (release != null) {
				this.closeWork.submit("Releasing lock '" + lock.key() + "'", release);
			}
		}
		int unconfirmed = this.closeWork.awaitUntil(deadline);
		if (unconfirmed > 0) {
			logger.warn("Closing the {} store: {} lock releases or attempt clean-ups were not confirmed within {}; "
					+ "the server frees those locks when their TTL, session or lease expires", this.backend, unconfirmed,
					BackendOptions.format(requestTimeout()));
		}
		this.hub.close();
		try {
			doClose();
		}
		catch (RuntimeException ex) {
			logger.warn("Closing the {} store failed", this.backend, ex);
		}
		finally {
			this.closeWork.shutdown();
			this.deliveryExecutor.close();
			this.scheduler.shutdownNow();
		}
	}

	/**
	 * What is left of the close's time for {@link #doClose} (ending sessions, revoking
	 * leases): the close as a whole takes one request timeout at most.
	 */
	protected final Duration closeTimeLeft() {
		return Duration.ofNanos(Math.max(0, this.closeDeadline - System.nanoTime()));
	}

	/**
	 * Whether {@code thread} sends the close's own last requests: the thread running
	 * {@link #close()}, or one releasing a lock or cleaning up an attempt for it. A backend
	 * that ends every other request once the store closes lets these through.
	 */
	protected final boolean closesStore(Thread thread) {
		return thread == this.closingThread || this.closeWork.owns(thread);
	}

	/**
	 * Run the clean-up of a lock attempt that ends without the lock (remove its queue entry,
	 * give back a record it may have taken): in the calling thread while the store is open;
	 * once it is closed, beside the close's lock releases, so the attempt ends at once with
	 * {@link StoreClosedException} instead of waiting for a possibly silent server. The close
	 * waits for it within its deadline; what is not done then is left to the server's expiry.
	 */
	public final void cleanUpAttempt(String what, Runnable cleanup) {
		if (!isClosed() || !this.closeWork.submit(what, cleanup)) {
			cleanup.run();
		}
	}

	// ---- WatchSource: reads through the backend, backends may override ----------------

	@Override
	public Snapshot snapshot(String key, boolean tree) {
		NavigableMap<String, KVPair> pairs = new TreeMap<>();
		if (tree) {
			List<KVPair> list = doList(key, ReadOptions.CONSISTENT);
			if (list != null) {
				list.forEach((pair) -> pairs.put(pair.key(), pair));
			}
		}
		else {
			KVPair pair = doGet(key, ReadOptions.CONSISTENT);
			if (pair != null) {
				pairs.put(key, pair);
			}
		}
		return new Snapshot(pairs, 0);
	}

	// ---- For backends -----------------------------------------------------------------

	/**
	 * Guard this store's indexes against a server that loses its data: adopt (or create) the
	 * namespace's epoch marker now, and check it again after reconnects
	 * ({@link WatchHub#resyncAfterReconnect}, {@link WatchHub#reconnected}) and whenever
	 * the server's counter is seen going back. Call once, at the end of the constructor.
	 */
	protected final void guardEpochs(EpochGuard.Marker marker) {
		this.epochs.start(marker);
	}

	/** What keeps indexes and fencing tokens going forward across a loss of the server's data. */
	public final EpochGuard epochs() {
		return this.epochs;
	}

	/**
	 * A caller's pair with the server's index. A pair from before the server lost its data
	 * matches no key: the compare fails as it would on the server, missing or modified.
	 */
	private KVPair serverPair(String key, KVPair previous) {
		KVPair pair = this.epochs.toServer(previous);
		if (pair == null) {
			if (!doExists(key, ReadOptions.CONSISTENT)) {
				throw new KeyNotFoundException(key);
			}
			throw new io.valkeyrie.store.KeyModifiedException("Key '" + key + "' was modified: its lastIndex " + previous.lastIndex()
					+ " is from before the " + this.backend + " server lost its data");
		}
		return pair;
	}

	/** The hub backends publish changes to. */
	protected final WatchHub hub() {
		return this.hub;
	}

	/**
	 * Whether the store reaches its servers. Every call reports its outcome; backends also
	 * report what their clients signal (disconnects, failed and successful retries), which
	 * logs one WARN per outage and one INFO when it ends.
	 */
	public final Reachability reachability() {
		return this.reachability;
	}

	/** A single shared thread for timers: retries, renewals, expiry sweeps. Tasks must be short. */
	public final ScheduledExecutorService scheduler() {
		return this.scheduler;
	}

	/**
	 * Fail with {@link StoreClosedException} if the store is closed, and report the loss of
	 * every held lock past its local deadline.
	 */
	public final void ensureOpen() {
		if (this.closed.get()) {
			throw new StoreClosedException("The " + this.backend + " store is closed");
		}
		if (!this.heldLocks.isEmpty()) {
			// A holder that was paused learns that its leases ran out before any call of it succeeds.
			for (AbstractStoreLock<?> lock : this.heldLocks) {
				lock.checkDeadline();
			}
		}
	}

	/**
	 * Run {@code hook} when the store closes, before anything else is closed: it wakes a
	 * caller blocked in this store, which then finds the store closed. Remove it with
	 * {@link #removeOnClose} when the wait ends. Runs at once if the store is closed already.
	 */
	public final void onClose(Runnable hook) {
		this.closeHooks.add(hook);
		if (this.closed.get() && this.closeHooks.remove(hook)) {
			hook.run();
		}
	}

	/** Forget a hook of {@link #onClose}. */
	public final void removeOnClose(Runnable hook) {
		this.closeHooks.remove(hook);
	}

	/**
	 * What a failure of a call becomes: a {@link StoreClosedException} if the store was
	 * closed meanwhile (the backend's connections went with it), a
	 * {@link StoreInterruptedException} if the caller was interrupted and the call broke,
	 * else itself if it is of the store's family, else a {@link StoreException} naming the backend.
	 */
	public final StoreException failure(String what, RuntimeException ex) {
		if (isClosed() && !(ex instanceof StoreClosedException)) {
			return new StoreClosedException("The " + this.backend + " store was closed during " + what, ex);
		}
		if (Thread.currentThread().isInterrupted() && !(ex instanceof StoreInterruptedException)
				&& (ex instanceof StoreUnavailableException || !(ex instanceof StoreException))) {
			// The interrupt broke the call (a channel closed by it, an aborted wait): say so.
			return new StoreInterruptedException("Interrupted during " + what + " on " + this.backend, ex);
		}
		if (ex instanceof StoreException store) {
			return store;
		}
		return new StoreException(this.backend + " failed during " + what + ": " + ex, ex);
	}

	/** The request timeout as a {@link Duration}. */
	protected final Duration requestTimeout() {
		return this.config.requestTimeout();
	}

	void lockHeld(AbstractStoreLock<?> lock) {
		this.heldLocks.add(lock);
	}

	void lockReleased(AbstractStoreLock<?> lock) {
		this.heldLocks.remove(lock);
	}

	/** The number of locks held through this store. */
	public int heldLocks() {
		return this.heldLocks.size();
	}

	/** The number of open watches. */
	public int activeWatches() {
		return this.hub.activeWatches();
	}

	private <T> T call(String operation, String key, Supplier<T> call) {
		T result;
		long started = this.reachability.now();
		try {
			result = call.get();
		}
		catch (RuntimeException ex) {
			StoreException failure = failure(operation + " of '" + key + "'", ex);
			if (failure instanceof StoreUnavailableException unavailable) {
				this.reachability.callFailed(unavailable, started);
			}
			throw failure;
		}
		// An answer proves the servers answer (refused compare-and-sets too, but success is enough).
		this.reachability.reachable();
		return result;
	}

	private void run(String operation, String key, Runnable call) {
		call(operation, key, () -> {
			call.run();
			return null;
		});
	}

	private byte[] checkValue(String key, byte @Nullable [] value) {
		if (value == null) {
			return EMPTY;
		}
		if (value.length > maxValueSize()) {
			throw new ValueTooLargeException(key, value.length, maxValueSize());
		}
		return value;
	}

	private void checkTtl(@Nullable Duration ttl) {
		if (ttl != null && ttl.compareTo(minimumTtl()) < 0) {
			throw new InvalidTtlException("TTL " + BackendOptions.format(ttl) + " is below the " + this.backend
					+ " store's minimum of " + BackendOptions.format(minimumTtl()) + ": " + minimumTtlReason());
		}
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE / 2;
		}
	}

	private static ThreadFactory threads(String name) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[backend=" + this.backend + ", namespace='" + namespace() + "', endpoints="
				+ Secrets.endpoints(this.config.endpoints()) + (isClosed() ? ", closed" : "") + "]";
	}

}
