package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchListener;
import io.valkeyrie.store.WatchOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Multiplexes every watch of a store over one change feed. The backend pushes each change
 * in its namespace once ({@link #publishPut}, {@link #publishDelete}) and asks for a resync
 * after any gap ({@link #resyncAll}); the hub routes changes to the key and tree watches
 * they concern (a lookup per ancestor of the key, not a scan of the watches), keeps each
 * watch's state, and delivers events.
 * <p>
 * Each watch has its own queue, drained on the shared delivery executor (or the watch's
 * own) one event at a time, so events of a watch stay in order, a slow listener delays
 * only its own watch, and ten thousand watches need no extra threads. A watch first reads
 * its state from the {@link WatchSource} on its queue, so changes published while it reads
 * are applied after it and duplicates are dropped by index. When a read fails the watch
 * retries with back-off until it succeeds or is closed; it never ends silently.
 * <p>
 * Backends must publish the changes of one key in order (from one feed thread).
 */
public final class WatchHub implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(WatchHub.class);

	private static final int DRAIN_BATCH = 128;

	private static final Duration MIN_RETRY = Duration.ofMillis(100);

	private static final Duration MAX_RETRY = Duration.ofSeconds(5);

	private final String backend;

	private final WatchSource source;

	private final Executor deliveryExecutor;

	private final ScheduledExecutorService scheduler;

	private final EpochGuard epochs;

	/** Whether a check of the epoch marker is queued or running (one at a time is enough). */
	private final AtomicBoolean epochCheck = new AtomicBoolean();

	private final Map<String, Set<WatchImpl>> keyWatches = new ConcurrentHashMap<>();

	private final Map<String, Set<WatchImpl>> treeWatches = new ConcurrentHashMap<>();

	private final AtomicInteger active = new AtomicInteger();

	private volatile boolean closed;

	/**
	 * Create a hub.
	 * @param backend the backend name, for logs
	 * @param source reads state for the watches
	 * @param deliveryExecutor runs listeners of watches that name no executor
	 * @param scheduler schedules retries
	 */
	public WatchHub(String backend, WatchSource source, Executor deliveryExecutor, ScheduledExecutorService scheduler) {
		this(backend, source, deliveryExecutor, scheduler, new EpochGuard(backend));
	}

	/**
	 * Create a hub whose indexes go through a store's {@link EpochGuard}: published and read
	 * indexes are shown as callers see them, and resume indexes given back to the server's.
	 */
	WatchHub(String backend, WatchSource source, Executor deliveryExecutor, ScheduledExecutorService scheduler,
			EpochGuard epochs) {
		this.backend = backend;
		this.source = source;
		this.deliveryExecutor = deliveryExecutor;
		this.scheduler = scheduler;
		this.epochs = epochs;
		// Whoever noticed the loss (a reconnect, a write, a lock acquisition), every watch resyncs.
		epochs.onLoss((base) -> resyncAll(WatchEvent.Snapshot.SERVER_LOST_DATA + "; indexes continue above " + base));
	}

	/**
	 * Start a watch.
	 * @param key the key or directory in normal form
	 * @param tree whether every key strictly below {@code key} is watched
	 * @param options executor and resume index
	 * @param listener the listener
	 * @return the running watch
	 */
	public Watch register(String key, boolean tree, WatchOptions options, WatchListener listener) {
		if (this.closed) {
			throw new StoreClosedException("The " + this.backend + " store is closed");
		}
		Executor executor = (options.executor() != null) ? options.executor() : this.deliveryExecutor;
		WatchImpl watch = new WatchImpl(key, tree, listener, executor);
		// Hold delivery until the initial state is read, so changes published meanwhile queue behind it.
		watch.scheduled.set(true);
		Map<String, Set<WatchImpl>> routes = tree ? this.treeWatches : this.keyWatches;
		boolean[] first = new boolean[1];
		routes.compute(key, (k, set) -> {
			if (set == null) {
				set = ConcurrentHashMap.newKeySet();
				first[0] = true;
			}
			set.add(watch);
			return set;
		});
		this.active.incrementAndGet();
		if (first[0]) {
			this.source.watched(key, tree);
		}
		watch.queue.offerFirst(initialLoad(key, tree, options.resumeFromIndex()));
		watch.scheduled.set(false);
		watch.schedule();
		return watch;
	}

	/**
	 * Publish a write.
	 * @param pair the new pair, key in normal form relative to the namespace
	 */
	public void publishPut(KVPair pair) {
		KVPair shown = this.epochs.toClient(pair);
		route(pair.key(), new Change(pair.key(), shown, shown.lastIndex()), false);
	}

	/**
	 * Publish a write from a thread that must never run a listener (a client library's I/O
	 * thread): a watch with an executor of its own, which might run the listener at once, is
	 * handed to it from a delivery thread.
	 * @param pair the new pair, key in normal form relative to the namespace
	 */
	public void publishPutFromIoThread(KVPair pair) {
		KVPair shown = this.epochs.toClient(pair);
		route(pair.key(), new Change(pair.key(), shown, shown.lastIndex()), true);
	}

	/**
	 * Publish a delete or expiry.
	 * @param key the key in normal form
	 * @param index the index of the delete, or {@code 0} if the backend has none
	 */
	public void publishDelete(String key, long index) {
		route(key, new Change(key, null, this.epochs.toClient(index)), false);
	}

	/**
	 * {@link #publishDelete} from a thread that must never run a listener, as
	 * {@link #publishPutFromIoThread}.
	 * @param key the key in normal form
	 * @param index the index of the delete, or {@code 0} if the backend has none
	 */
	public void publishDeleteFromIoThread(String key, long index) {
		route(key, new Change(key, null, this.epochs.toClient(index)), true);
	}

	/**
	 * Tell every watch that changes may have been missed; each re-reads its state and
	 * delivers it as a resync snapshot.
	 * @param reason why, for listeners and logs
	 */
	public void resyncAll(String reason) {
		forEachWatch((watch) -> watch.enqueue(new Load(0, true, reason)));
	}

	/**
	 * The backend reconnected after a gap in which changes may have been missed (and the
	 * server may have restarted without its data): check the store's epoch marker, then
	 * resync every watch, saying {@link WatchEvent.Snapshot#SERVER_LOST_DATA} if the data
	 * was lost. Returns at once; the check runs on a delivery thread. Safe on I/O threads.
	 * @param reason why, when the data was not lost
	 */
	public void resyncAfterReconnect(String reason) {
		checkEpoch(reason);
	}

	/**
	 * The backend reconnected, but its watches have their own resync: only check the
	 * store's epoch marker, and resync every watch if the server lost its data. Returns at
	 * once. Safe on I/O threads.
	 */
	public void reconnected() {
		checkEpoch(null);
	}

	private void checkEpoch(@Nullable String reason) {
		if (!this.epochCheck.compareAndSet(false, true)) {
			if (reason != null) {
				// A check is running; it resyncs if the data was lost, and this gap needs a resync either way.
				resyncAll(reason);
			}
			return;
		}
		try {
			this.deliveryExecutor.execute(() -> runEpochCheck(reason, MIN_RETRY));
		}
		catch (RejectedExecutionException ex) {
			// Closing: no watch is left to resync.
			this.epochCheck.set(false);
		}
	}

	private void runEpochCheck(@Nullable String reason, Duration delay) {
		if (this.closed) {
			this.epochCheck.set(false);
			return;
		}
		boolean lost;
		try {
			lost = this.epochs.verify();
		}
		catch (RuntimeException ex) {
			if (reason != null) {
				resyncAll(reason);
			}
			if (!(ex instanceof io.valkeyrie.store.StoreUnavailableException)) {
				// Not a server away but a refusal (a role without access to the marker): checking again would not help.
				logger.warn("Checking the epoch marker on {} failed; a loss of the server's data is not detected: {}",
						this.backend, ex.getMessage());
				this.epochCheck.set(false);
				return;
			}
			// The server went away again: check once it answers.
			logger.debug("Checking the epoch marker on {} failed; retrying in {}", this.backend, delay, ex);
			Duration next = (delay.multipliedBy(2).compareTo(MAX_RETRY) > 0) ? MAX_RETRY : delay.multipliedBy(2);
			try {
				this.scheduler.schedule(() -> this.deliveryExecutor.execute(() -> runEpochCheck(null, next)),
						delay.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException closing) {
				this.epochCheck.set(false);
			}
			return;
		}
		this.epochCheck.set(false);
		if (!lost && reason != null) {
			resyncAll(reason);
		}
	}

	/** The number of open watches. */
	public int activeWatches() {
		return this.active.get();
	}

	/** Whether any watch is open. */
	public boolean hasWatches() {
		return this.active.get() > 0;
	}

	/** Whether a change of {@code key} would reach any watch. */
	public boolean isWatched(String key) {
		if (this.keyWatches.containsKey(key)) {
			return true;
		}
		if (this.treeWatches.isEmpty()) {
			return false;
		}
		for (String ancestor : Keys.ancestors(key)) {
			if (this.treeWatches.containsKey(ancestor)) {
				return true;
			}
		}
		return false;
	}

	/** Close every watch; once this returns no listener runs again. */
	@Override
	public void close() {
		this.closed = true;
		forEachWatch(WatchImpl::close);
	}

	private void forEachWatch(java.util.function.Consumer<WatchImpl> action) {
		for (Set<WatchImpl> set : this.keyWatches.values()) {
			set.forEach(action);
		}
		for (Set<WatchImpl> set : this.treeWatches.values()) {
			set.forEach(action);
		}
	}

	private void route(String key, Change change, boolean ioThread) {
		Set<WatchImpl> exact = this.keyWatches.get(key);
		if (exact != null) {
			exact.forEach((watch) -> watch.enqueue(change, ioThread));
		}
		if (!this.treeWatches.isEmpty()) {
			for (String ancestor : Keys.ancestors(key)) {
				Set<WatchImpl> trees = this.treeWatches.get(ancestor);
				if (trees != null) {
					trees.forEach((watch) -> watch.enqueue(change, ioThread));
				}
			}
		}
	}

	private void unregister(WatchImpl watch) {
		Map<String, Set<WatchImpl>> routes = watch.tree ? this.treeWatches : this.keyWatches;
		boolean[] last = new boolean[1];
		boolean[] removed = new boolean[1];
		routes.computeIfPresent(watch.key, (k, set) -> {
			removed[0] = set.remove(watch);
			if (set.isEmpty()) {
				last[0] = true;
				return null;
			}
			return set;
		});
		if (removed[0]) {
			this.active.decrementAndGet();
		}
		if (last[0] && !this.closed) {
			try {
				this.source.unwatched(watch.key, watch.tree);
			}
			catch (RuntimeException ex) {
				// The watch is gone either way; the backend only loses an optimisation.
				logger.debug("Unsubscribing {} from {} failed", watch.key, this.backend, ex);
			}
		}
	}

	private record Change(String key, @Nullable KVPair pair, long index) {
	}

	/** Read a snapshot, with indexes as callers see them. */
	private WatchSource.Snapshot snapshot(String key, boolean tree) {
		WatchSource.Snapshot read = this.source.snapshot(key, tree);
		NavigableMap<String, KVPair> pairs = new TreeMap<>();
		read.pairs().forEach((k, pair) -> pairs.put(k, this.epochs.toClient(pair)));
		return new WatchSource.Snapshot(pairs, this.epochs.toClient(read.revision()));
	}

	/** Read history after a caller's index, with indexes as callers see them; {@code null} if not available. */
	private WatchSource.@Nullable History history(String key, boolean tree, long index) {
		long serverIndex = this.epochs.toServer(index);
		if (serverIndex <= 0) {
			// From before the server lost its data: no history reaches it.
			return null;
		}
		WatchSource.History read = this.source.history(key, tree, serverIndex);
		if (read == null || this.epochs.base() == 0) {
			return read;
		}
		NavigableMap<String, KVPair> state = new TreeMap<>();
		read.state().forEach((k, pair) -> state.put(k, this.epochs.toClient(pair)));
		java.util.List<WatchSource.Change> changes = read.changes()
			.stream()
			.map((change) -> new WatchSource.Change(change.key(),
					(change.pair() != null) ? this.epochs.toClient(change.pair()) : null, this.epochs.toClient(change.index())))
			.toList();
		return new WatchSource.History(state, changes, this.epochs.toClient(read.revision()));
	}

	/**
	 * Read the initial state on the caller's thread, so every change made after
	 * {@code register} returns is delivered as an event rather than folded into a snapshot
	 * read later; if the read fails the watch reads it on its queue with retries.
	 */
	private Load initialLoad(String key, boolean tree, long resumeFrom) {
		try {
			if (resumeFrom > 0) {
				WatchSource.History history = history(key, tree, resumeFrom);
				if (history != null) {
					return new Load(resumeFrom, false, null, history);
				}
			}
			return new Load(0, resumeFrom > 0, (resumeFrom > 0) ? "history from index " + resumeFrom + " is not available" : null,
					snapshot(key, tree));
		}
		catch (RuntimeException ex) {
			logger.debug("Reading the initial state of watch '{}' on {} failed; retrying on the watch's queue", key,
					this.backend, ex);
			return new Load(resumeFrom, false, null, null);
		}
	}

	/**
	 * Read (or apply, when {@code state} was read already) the state of a watch.
	 * @param state a {@link WatchSource.History} or {@link WatchSource.Snapshot} read at
	 * registration, or {@code null} to read it now
	 */
	private record Load(long resumeFrom, boolean resync, @Nullable String reason, @Nullable Object state) {

		Load(long resumeFrom, boolean resync, @Nullable String reason) {
			this(resumeFrom, resync, reason, null);
		}

	}

	private final class WatchImpl implements Watch, Runnable {

		private final String key;

		private final boolean tree;

		private final WatchListener listener;

		private final Executor executor;

		private final ConcurrentLinkedDeque<Object> queue = new ConcurrentLinkedDeque<>();

		private final AtomicBoolean scheduled = new AtomicBoolean();

		private final ReentrantLock deliveryLock = new ReentrantLock();

		// Touched only by the single drainer (guarded by 'scheduled').
		private final NavigableMap<String, KVPair> state = new TreeMap<>();

		private boolean loaded;

		private long revision;

		private Duration retryDelay = MIN_RETRY;

		private long eventSequence;

		private volatile long deliveringSequence = -1;

		private volatile boolean closed;

		private volatile long lastIndex;

		WatchImpl(String key, boolean tree, WatchListener listener, Executor executor) {
			this.key = key;
			this.tree = tree;
			this.listener = listener;
			this.executor = executor;
		}

		@Override
		public String key() {
			return this.key;
		}

		@Override
		public boolean isTree() {
			return this.tree;
		}

		@Override
		public boolean isActive() {
			return !this.closed;
		}

		@Override
		public long lastIndex() {
			return this.lastIndex;
		}

		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			this.closed = true;
			unregister(this);
			this.queue.clear();
			if (!this.deliveryLock.isHeldByCurrentThread()) {
				// Wait for a listener call in progress: none starts after this.
				this.deliveryLock.lock();
				this.deliveryLock.unlock();
			}
		}

		void enqueue(Object item) {
			enqueue(item, false);
		}

		void enqueue(Object item, boolean ioThread) {
			if (this.closed) {
				return;
			}
			this.queue.add(item);
			if (ioThread && this.executor != WatchHub.this.deliveryExecutor) {
				handOff();
			}
			else {
				schedule();
			}
		}

		private void handOff() {
			try {
				WatchHub.this.deliveryExecutor.execute(this::schedule);
			}
			catch (RejectedExecutionException ex) {
				// Closing: no listener runs again.
			}
		}

		private void schedule() {
			if (this.scheduled.compareAndSet(false, true)) {
				try {
					this.executor.execute(this);
				}
				catch (RejectedExecutionException ex) {
					this.scheduled.set(false);
					if (!this.closed && !WatchHub.this.closed) {
						logger.warn("Watch executor rejected delivery for '{}' on {}; retrying", this.key, WatchHub.this.backend);
						retryLater(null);
					}
				}
			}
		}

		@Override
		public void run() {
			try {
				for (int i = 0; i < DRAIN_BATCH && !this.closed; i++) {
					Object item = this.queue.poll();
					if (item == null) {
						break;
					}
					if (item instanceof Load load) {
						load(load);
					}
					else if (this.loaded) {
						apply((Change) item);
					}
					// Changes before a successful load are covered by the state it reads.
				}
			}
			finally {
				this.scheduled.set(false);
				if (!this.queue.isEmpty() && !this.closed) {
					schedule();
				}
			}
		}

		private void load(Load load) {
			if (this.loaded && !load.resync()) {
				return;
			}
			try {
				if (load.resumeFrom() > 0 && !this.loaded) {
					WatchSource.History history = (load.state() instanceof WatchSource.History read) ? read
							: history(this.key, this.tree, load.resumeFrom());
					if (history != null) {
						// The changes after the index are all newer than the state: only the ones past the history's revision may repeat.
						replace(history.state(), load.resumeFrom());
						for (WatchSource.Change change : history.changes()) {
							apply(new Change(change.key(), change.pair(), change.index()));
						}
						this.revision = history.revision();
						return;
					}
					load = new Load(0, true, "history from index " + load.resumeFrom() + " is not available");
				}
				WatchSource.Snapshot snapshot = (load.state() instanceof WatchSource.Snapshot read) ? read
						: snapshot(this.key, this.tree);
				replace(snapshot.pairs(), snapshot.revision());
				this.retryDelay = MIN_RETRY;
				NavigableMap<String, KVPair> copy = new TreeMap<>(this.state);
				deliver(new WatchEvent.Snapshot(this.key, copy, load.resync(), load.reason()), 0);
			}
			catch (RuntimeException ex) {
				if (this.closed || WatchHub.this.closed) {
					return;
				}
				this.loaded = false;
				logger.debug("Reading the state of watch '{}' on {} failed; retrying in {}", this.key,
						WatchHub.this.backend, this.retryDelay, ex);
				retryLater(new Load(0, true, "reconnected after: " + ex.getMessage()));
			}
		}

		private void replace(NavigableMap<String, KVPair> pairs, long revision) {
			this.state.clear();
			this.state.putAll(pairs);
			this.revision = revision;
			this.loaded = true;
			long max = 0;
			for (KVPair pair : pairs.values()) {
				max = Math.max(max, pair.lastIndex());
			}
			this.lastIndex = Math.max(this.lastIndex, Math.max(max, revision));
		}

		private void retryLater(@Nullable Load load) {
			Duration delay = this.retryDelay;
			this.retryDelay = (delay.multipliedBy(2).compareTo(MAX_RETRY) > 0) ? MAX_RETRY : delay.multipliedBy(2);
			try {
				WatchHub.this.scheduler.schedule(() -> {
					if (load != null) {
						enqueue(load);
					}
					else {
						schedule();
					}
				}, delay.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException ex) {
				// The store is closing: the watch ends with it.
			}
		}

		private void apply(Change change) {
			if (this.revision > 0 && change.index() > 0 && change.index() <= this.revision) {
				return;
			}
			KVPair known = this.state.get(change.key());
			if (change.pair() != null) {
				if (known != null && known.lastIndex() >= change.index() && change.index() > 0) {
					return;
				}
				this.state.put(change.key(), change.pair());
				this.lastIndex = Math.max(this.lastIndex, change.index());
				long sequence = ++this.eventSequence;
				deliver(new WatchEvent.Put(this.key, change.pair(), currentSupplier(sequence)), sequence);
			}
			else {
				if (known == null) {
					return;
				}
				if (change.index() > 0 && change.index() < known.lastIndex()) {
					return;
				}
				this.state.remove(change.key());
				long index = (change.index() > 0) ? change.index() : known.lastIndex();
				this.lastIndex = Math.max(this.lastIndex, index);
				long sequence = ++this.eventSequence;
				deliver(new WatchEvent.Delete(this.key, change.key(), index, known, currentSupplier(sequence)), sequence);
			}
		}

		private Supplier<NavigableMap<String, KVPair>> currentSupplier(long sequence) {
			return () -> {
				if (this.deliveringSequence != sequence || !this.deliveryLock.isHeldByCurrentThread()) {
					throw new IllegalStateException("current() is only available while the listener handles the event");
				}
				return java.util.Collections.unmodifiableNavigableMap(new TreeMap<>(this.state));
			};
		}

		private void deliver(WatchEvent event, long sequence) {
			this.deliveryLock.lock();
			try {
				if (this.closed) {
					return;
				}
				this.deliveringSequence = sequence;
				this.listener.onEvent(event);
			}
			catch (RuntimeException ex) {
				logger.warn("Watch listener for '{}' on {} failed on {}; it keeps receiving events", this.key,
						WatchHub.this.backend, event, ex);
			}
			finally {
				this.deliveringSequence = -1;
				this.deliveryLock.unlock();
			}
		}

		@Override
		public String toString() {
			return (this.tree ? "WatchTree[" : "Watch[") + this.key + "]";
		}

	}

}
