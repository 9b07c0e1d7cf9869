package io.valkeyrie.store.local;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.Keys;
import io.valkeyrie.store.local.ChangeLog.Committed;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * One MVStore database and everything the stores opened on it share: the write lock that
 * orders every change (and the condition lock waiters sleep on), the persistent counters,
 * the change log, the list of stores whose watches hear every change, and one thread for
 * TTL expiry and file compaction. Stores on the same file (or the same in-memory name) in
 * one JVM share one instance, reference-counted; it closes with the last of them.
 * <p>
 * Reads are lock-free (MVStore maps are thread-safe); every write runs under the write
 * lock and is committed before the call returns (so it survives the death of the JVM). Writes
 * share commits: a writer that knows of another writer on its way to the lock leaves the
 * commit to it, and the last of them commits every write made since the last commit at once
 * (group commit); every write waits for the commit that covers it. A commit publishes its changes, under the
 * lock, so watchers see changes in commit order.
 */
final class LocalDatabase {

	private static final Logger logger = LoggerFactory.getLogger(LocalDatabase.class);

	/** How often expired keys and locks are removed (and their delete events sent). */
	static final Duration SWEEP_INTERVAL = Duration.ofMillis(100);

	/**
	 * Compaction starts when the chunks of the file hold less live data than this (percent),
	 * and rewrites the chunks below it. Every commit writes a new chunk; with space reused at
	 * once a chunk that still holds a few live pages is what keeps the file large.
	 */
	private static final int COMPACT_FILL_RATE = 60;

	/** How much one compaction step rewrites at most, so a write waits for it briefly. */
	private static final int COMPACT_WRITE_BYTES = 256 * 1024;

	/** How long {@link #close()} may spend compacting the file, so it is opened fast again. */
	private static final int CLOSE_COMPACT_MILLIS = 200;

	/** How long a writer that left its commit to others waits before it commits itself (should none come). */
	private static final Duration SELF_COMMIT_AFTER = Duration.ofMillis(10);

	/** How long the maintenance tasks wait for the write lock. */
	private static final Duration MAINTENANCE_TIMEOUT = Duration.ofSeconds(1);

	private static final long MAX_LOG_BYTES = 64L * 1024 * 1024;

	private static final String FORMAT = "format";

	private static final long FORMAT_VERSION = 1;

	private static final String INDEX = "index";

	private static final Map<String, LocalDatabase> shared = new HashMap<>();

	private final @Nullable String id;

	private final String description;

	private final LocalOptions options;

	/** Opens the file store, for tests that make the disk fail; {@code null} for MVStore's own. */
	private final @Nullable Function<String, FileStore<?>> fileStores;

	// Replaced (under the write lock) when the file is opened again after a write error.
	private volatile MVStore mvStore;

	private volatile MVMap<String, Long> meta;

	private final DataTable data;

	private final LockTable locks;

	private final ReentrantLock writeLock = new ReentrantLock();

	private final Condition lockReleased = this.writeLock.newCondition();

	private final InstantSource clock;

	// Set once any store of the database asks for it: a shared database is never silently less durable than asked.
	private volatile boolean fsync;

	// Guarded by writeLock.
	private ChangeLog log;

	private volatile boolean released;

	// Guarded by writeLock: the changes of the writes since the last commit, published by the commit.
	private final List<Committed> pending = new ArrayList<>();

	// Guarded by writeLock: the writes since the last commit, committed together.
	private Batch batch = new Batch();

	// Guarded by writeLock: the current version, registered with MVStore (see pinCurrentVersion).
	private MVStore.@Nullable TxCounter pinned;

	// Writers that entered write() and have not taken the write lock yet.
	private final AtomicInteger arriving = new AtomicInteger();

	// Written under writeLock: how many commits wrote something, and the index the last one reached (for tests).
	private volatile long commits;

	private volatile long committedIndex;

	private final List<LocalStore> stores = new CopyOnWriteArrayList<>();

	private final AtomicLong sessions = new AtomicLong();

	private final ScheduledExecutorService scheduler;

	// Guarded by 'shared'.
	private int references;

	private LocalDatabase(@Nullable String id, LocalOptions options, InstantSource clock,
			@Nullable Function<String, FileStore<?>> fileStores) {
		this.id = id;
		this.options = options;
		this.fileStores = fileStores;
		this.clock = clock;
		this.description = (options.path() != null) ? "file " + options.path()
				: (options.name() != null) ? "in-memory database '" + options.name() + "'" : "private in-memory database";
		this.mvStore = openStore();
		try {
			this.meta = openMeta(this.mvStore);
			this.data = new DataTable(this.mvStore, () -> next(INDEX), this.pending::add);
			this.locks = new LockTable(this, this.mvStore);
			this.data.expireOrphans(now());
			this.mvStore.commit();
			pinCurrentVersion();
			this.log = new ChangeLog(options.historySize(), MAX_LOG_BYTES, counter(INDEX));
		}
		catch (RuntimeException ex) {
			this.mvStore.closeImmediately();
			throw (ex instanceof MVStoreException) ? new StoreConfigurationException("The local store " + this.description
					+ " cannot be opened: " + ex.getMessage(), ex) : ex;
		}
		this.scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "valkeyrie-local-sweeper");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.scheduleWithFixedDelay(this::sweep, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(),
				TimeUnit.MILLISECONDS);
		if (options.path() != null) {
			this.scheduler.scheduleWithFixedDelay(this::compact, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(),
					TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * The database the options name, shared with the stores already open on it in this JVM.
	 * Every call must be paired with {@link #release()}.
	 */
	static LocalDatabase acquire(LocalOptions options, InstantSource clock,
			@Nullable Function<String, FileStore<?>> fileStores) {
		String id = options.databaseId();
		synchronized (shared) {
			LocalDatabase database = (id != null) ? shared.get(id) : null;
			if (database == null) {
				database = new LocalDatabase(id, options, clock, fileStores);
				if (id != null) {
					shared.put(id, database);
				}
			}
			database.references++;
			return database;
		}
	}

	/** Give back a reference; the last one closes the database. */
	void release() {
		synchronized (shared) {
			if (--this.references > 0) {
				return;
			}
			if (this.id != null) {
				shared.remove(this.id);
			}
			// Still under the registry's lock: a store opening this file meanwhile must find it unlocked.
			close();
		}
	}

	private void close() {
		this.released = true;
		this.scheduler.shutdownNow();
		this.writeLock.lock();
		try {
			if (!this.mvStore.isClosed()) {
				commitShared();
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Committing the last writes to the local store {} failed", this.description, ex);
		}
		try {
			// MVStore checks on close that no version is still registered.
			if (this.pinned != null && !this.mvStore.isClosed()) {
				this.mvStore.deregisterVersionUsage(this.pinned);
				this.pinned = null;
			}
			this.mvStore.close(CLOSE_COMPACT_MILLIS);
		}
		catch (RuntimeException ex) {
			logger.warn("Closing the local store {} failed", this.description, ex);
		}
		finally {
			this.writeLock.unlock();
		}
	}

	// ---- Stores ------------------------------------------------------------------------

	/** Publish every change to {@code store} from now on; returns its session id. */
	long attach(LocalStore store, boolean fsync) {
		if (fsync) {
			this.fsync = true;
		}
		this.stores.add(store);
		return this.sessions.incrementAndGet();
	}

	/** Stop publishing to {@code store} and delete the keys it kept alive. */
	void detach(LocalStore store, long session, Iterable<String> keptAlive) {
		this.stores.remove(store);
		write(store.timeout(), () -> {
			for (String key : keptAlive) {
				Entry entry = this.data.raw(key);
				if (entry != null && entry.owner() == session) {
					this.data.remove(key, entry);
				}
			}
			return null;
		});
	}

	// ---- Reads (lock-free) ---------------------------------------------------------------

	@Nullable Entry get(String key) {
		// As reading(), without its lambda: this is the hot path.
		MVStore store = this.mvStore;
		MVStore.TxCounter usage = store.registerVersionUsage();
		try {
			Entry entry = this.data.raw(key);
			return (entry != null && !entry.isExpired(now())) ? entry : null;
		}
		catch (MVStoreException ex) {
			throw unavailable(ex);
		}
		finally {
			store.deregisterVersionUsage(usage);
		}
	}

	/** Every live key starting with {@code prefix}, in key order. */
	void forEachBelow(String prefix, BiConsumer<String, Entry> action) {
		reading(() -> {
			this.data.forEachLive(prefix, now(), action);
			return null;
		});
	}

	/**
	 * Run a read without the write lock. The version it reads is registered with MVStore for
	 * its duration: space is reused at once (retention time 0), and a commit meanwhile would
	 * otherwise free a chunk the read still has to load ("Chunk N not found").
	 */
	private <T> T reading(Supplier<T> read) {
		MVStore store = this.mvStore;
		MVStore.TxCounter usage = store.registerVersionUsage();
		try {
			return read.get();
		}
		catch (MVStoreException ex) {
			throw unavailable(ex);
		}
		finally {
			store.deregisterVersionUsage(usage);
		}
	}

	// ---- Writes --------------------------------------------------------------------------

	Entry put(LocalStore store, String key, byte[] value, WriteOptions options) {
		return write(store.timeout(), () -> {
			long now = now();
			Entry old = this.data.live(key, now);
			Entry entry = newEntry(store, value, options, now);
			this.data.put(key, entry, old);
			return entry;
		});
	}

	boolean delete(LocalStore store, String key) {
		return write(store.timeout(), () -> {
			Entry old = this.data.live(key, now());
			if (old == null) {
				return false;
			}
			this.data.remove(key, old);
			return true;
		});
	}

	/** Delete {@code dir} (unless it is the namespace itself) and every key below it. */
	boolean deleteTree(LocalStore store, String dir, boolean includeDir) {
		return write(store.timeout(), () -> {
			long now = now();
			NavigableMap<String, Entry> doomed = this.data.rawBelow(Keys.childPrefix(dir));
			Entry self = includeDir ? this.data.raw(dir) : null;
			if (self != null) {
				doomed.put(dir, self);
			}
			boolean removed = false;
			for (Map.Entry<String, Entry> entry : doomed.entrySet()) {
				this.data.remove(entry.getKey(), entry.getValue());
				removed |= !entry.getValue().isExpired(now);
			}
			return removed;
		});
	}

	Entry atomicPut(LocalStore store, String key, String relativeKey, byte[] value, @Nullable Long previousIndex,
			WriteOptions options) {
		return write(store.timeout(), () -> {
			long now = now();
			Entry current = this.data.live(key, now);
			if (previousIndex == null) {
				if (current != null) {
					throw new KeyExistsException("Key '" + relativeKey + "' already exists (lastIndex " + current.index() + ")");
				}
			}
			else {
				compare(relativeKey, current, previousIndex);
			}
			Entry entry = newEntry(store, value, options, now);
			this.data.put(key, entry, current);
			return entry;
		});
	}

	void atomicDelete(LocalStore store, String key, String relativeKey, long previousIndex) {
		write(store.timeout(), () -> {
			Entry current = this.data.live(key, now());
			compare(relativeKey, current, previousIndex);
			this.data.remove(key, current);
			return null;
		});
	}

	// ---- Watches -------------------------------------------------------------------------

	/**
	 * Read the live pairs of a key or subtree together with the index they are current at
	 * (under the write lock, so no change is half seen).
	 * @param key the full key or directory
	 * @param tree whether every key strictly below {@code key} is wanted
	 * @param pair receives each full key and its entry
	 * @return the index the state is current at
	 */
	long read(Duration timeout, String key, boolean tree, BiConsumer<String, Entry> pair) {
		lock(timeout);
		try {
			if (tree) {
				forEachBelow(Keys.childPrefix(key), pair);
			}
			else {
				Entry entry = get(key);
				if (entry != null) {
					pair.accept(key, entry);
				}
			}
			return counter(INDEX);
		}
		finally {
			this.writeLock.unlock();
		}
	}

	/**
	 * The state of a key or subtree at {@code index} and every change of it since, from the
	 * change log; {@code null} when the log does not reach back that far.
	 */
	@Nullable History history(Duration timeout, String key, boolean tree, long index) {
		lock(timeout);
		try {
			long current = counter(INDEX);
			if (!this.log.covers(index, current)) {
				return null;
			}
			// Entries not yet swept count as present: the log's expiry event for them is still to come.
			NavigableMap<String, Entry> state = new TreeMap<>();
			if (tree) {
				state.putAll(this.data.rawBelow(Keys.childPrefix(key)));
			}
			else {
				Entry entry = this.data.raw(key);
				if (entry != null) {
					state.put(key, entry);
				}
			}
			List<Committed> changes = new ArrayList<>();
			for (Committed change : this.log.after(index)) {
				if (tree ? Keys.isBelow(change.key(), key) : change.key().equals(key)) {
					changes.add(change);
				}
			}
			for (int i = changes.size() - 1; i >= 0; i--) {
				Committed change = changes.get(i);
				if (change.previous() != null) {
					state.put(change.key(), change.previous());
				}
				else {
					state.remove(change.key());
				}
			}
			return new History(state, changes, current);
		}
		catch (MVStoreException ex) {
			throw unavailable(ex);
		}
		finally {
			this.writeLock.unlock();
		}
	}

	/**
	 * The state of a key or subtree at an index and the changes after it.
	 * @param state full keys to entries at the index
	 * @param changes the changes after the index, oldest first
	 * @param revision the index the history reaches
	 */
	record History(NavigableMap<String, Entry> state, List<Committed> changes, long revision) {
	}

	// ---- For the lock table --------------------------------------------------------------

	LockTable locks() {
		return this.locks;
	}

	Condition lockReleased() {
		return this.lockReleased;
	}

	/**
	 * Take the write lock within {@code timeout}, or fail with {@link StoreUnavailableException};
	 * writes that earlier holders left to a later commit are committed first.
	 */
	void lock(Duration timeout) {
		lock(timeout, true);
	}

	private void lock(Duration timeout, boolean commitShared) {
		try {
			if (!tryLock(timeout.toNanos(), commitShared)) {
				throw new StoreUnavailableException("local", "the " + this.description
						+ " stayed busy for longer than the request timeout of " + BackendOptions.format(timeout), null);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreInterruptedException("Interrupted while waiting for the local store " + this.description, ex);
		}
	}

	/**
	 * Take the write lock within {@code nanos}; the file is opened again first if a write error
	 * closed it, and writes that earlier holders left to a later commit are committed.
	 */
	boolean tryLock(long nanos) throws InterruptedException {
		return tryLock(nanos, true);
	}

	/**
	 * @param commitShared whether to commit the writes left to a later holder: every holder
	 * does, but a writer, which adds its own write to them first
	 */
	private boolean tryLock(long nanos, boolean commitShared) throws InterruptedException {
		if (!this.writeLock.tryLock(nanos, TimeUnit.NANOSECONDS)) {
			return false;
		}
		try {
			reopenAfterFailure();
			if (commitShared) {
				commitShared();
			}
		}
		catch (RuntimeException ex) {
			this.writeLock.unlock();
			throw ex;
		}
		return true;
	}

	void unlock() {
		this.writeLock.unlock();
	}

	/**
	 * Commit every write since the last commit (under the lock), then publish their changes
	 * in order and tell their writers.
	 */
	void commit() {
		Batch committing = this.batch;
		this.batch = new Batch();
		try {
			if (this.mvStore.hasUnsavedChanges()) {
				this.mvStore.commit();
				if (this.fsync && this.mvStore.getFileStore() != null) {
					this.mvStore.sync();
				}
				this.commits++;
				pinCurrentVersion();
			}
			this.committedIndex = counter(INDEX);
		}
		catch (MVStoreException ex) {
			this.pending.clear();
			committing.fail(ex);
			throw unavailable(ex);
		}
		// A copy: a listener on a same-thread executor may write (re-entering the lock) while these are published.
		List<Committed> committed = List.copyOf(this.pending);
		this.pending.clear();
		try {
			for (Committed change : committed) {
				this.log.add(change);
				for (LocalStore store : this.stores) {
					store.publish(change);
				}
			}
		}
		finally {
			committing.complete();
		}
	}

	/** The next value of a persistent counter; under the write lock. */
	long next(String counter) {
		long next = counter(counter) + 1;
		this.meta.put(counter, next);
		return next;
	}

	long now() {
		return this.clock.millis();
	}

	ScheduledExecutorService scheduler() {
		return this.scheduler;
	}

	/** What {@code serverInfo()} shows: the engine, the database, and where its index is. */
	Map<String, Object> info() {
		String version = MVStore.class.getPackage().getImplementationVersion();
		return Map.of("engine", "H2 MVStore" + ((version != null) ? " " + version : ""), "database", this.description,
				"fsync", this.fsync, "index", counter(INDEX));
	}

	/** How many commits wrote something since the database was opened. */
	long commits() {
		return this.commits;
	}

	/** The index the last commit reached. */
	long committedIndex() {
		return this.committedIndex;
	}

	/** What the database is, for messages: its file or in-memory name. */
	String description() {
		return this.description;
	}

	// ---- Internals -----------------------------------------------------------------------

	/**
	 * Run {@code action} under the write lock, and return once what it changed (also when it
	 * fails) is committed and published: at once when no other writer is on its way to the
	 * lock, else by the commit of a later writer, which covers every write made meanwhile.
	 */
	private <T> T write(Duration timeout, Supplier<T> action) {
		this.arriving.incrementAndGet();
		try {
			lock(timeout, false);
		}
		finally {
			this.arriving.decrementAndGet();
		}
		Batch mine = null;
		try {
			int before = this.pending.size();
			try {
				return action.get();
			}
			finally {
				if (this.pending.size() > before) {
					mine = this.batch;
				}
				// Another writer on its way to the lock will commit these writes with its own; a writer
				// that changed nothing (a failed compare) still commits what others left to it.
				if (!this.pending.isEmpty() && this.arriving.get() == 0) {
					commit();
				}
			}
		}
		catch (MVStoreException ex) {
			throw unavailable(ex);
		}
		finally {
			this.writeLock.unlock();
			if (mine != null) {
				awaitCommit(mine, timeout);
			}
		}
	}

	/**
	 * Wait until {@code batch} is committed. The last writer to find no other writer on its
	 * way to the lock commits it, and so does any other holder of the lock (see
	 * {@link #tryLock(long)}); should none come within {@link #SELF_COMMIT_AFTER}, the writer
	 * commits it itself. Not interruptible: the write is made and only its commit is awaited,
	 * which takes what one commit takes (the interrupt flag is kept).
	 */
	private void awaitCommit(Batch batch, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		boolean interrupted = false;
		try {
			while (!batch.isDone()) {
				long remaining = deadline - System.nanoTime();
				try {
					if (batch.await(Math.min(remaining, SELF_COMMIT_AFTER.toNanos()))) {
						break;
					}
					if (remaining <= 0 || !this.writeLock.tryLock(remaining, TimeUnit.NANOSECONDS)) {
						throw new StoreUnavailableException("local", "the " + this.description
								+ " stayed busy for longer than the request timeout of " + BackendOptions.format(timeout)
								+ " before a write was committed; it may or may not be", null);
					}
				}
				catch (InterruptedException ex) {
					interrupted = true;
					continue;
				}
				try {
					reopenAfterFailure();
					if (!batch.isDone()) {
						commit();
					}
				}
				finally {
					this.writeLock.unlock();
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
		MVStoreException failed = batch.failed;
		if (failed != null) {
			throw unavailable(failed);
		}
	}

	/**
	 * Register the current version with MVStore for as long as it is current (under the write
	 * lock). A read registers the version it reads and gives it back when done; the last one
	 * to give back a version makes MVStore drop unused versions under its store lock, which
	 * made every read pay for that (a read's count would mostly go 1 → 0). Held here, the
	 * current version's count reaches 0 only once, when the next commit gives it back.
	 */
	private void pinCurrentVersion() {
		MVStore.TxCounter previous = this.pinned;
		this.pinned = this.mvStore.registerVersionUsage();
		if (previous != null) {
			this.mvStore.deregisterVersionUsage(previous);
		}
	}

	/** Commit the writes that others left to a later holder of the lock (under it), so what is read next is published. */
	private void commitShared() {
		if (!this.pending.isEmpty()) {
			commit();
		}
	}

	private Entry newEntry(LocalStore store, byte[] value, WriteOptions options, long now) {
		long index = next(INDEX);
		Duration ttl = options.ttl();
		if (ttl == null) {
			return new Entry(index, 0, 0, 0, value);
		}
		long ttlMillis = Math.max(1, saturatedMillis(ttl));
		if (options.keepAlive()) {
			return new Entry(index, 0, store.session(), ttlMillis, value);
		}
		return new Entry(index, saturatedAdd(now, ttlMillis), 0, ttlMillis, value);
	}

	private static void compare(String relativeKey, @Nullable Entry current, long previousIndex) {
		if (current == null) {
			throw new KeyNotFoundException(relativeKey);
		}
		if (current.index() != previousIndex) {
			throw new KeyModifiedException("Key '" + relativeKey + "' was modified: its lastIndex is " + current.index()
					+ ", not " + previousIndex);
		}
	}

	private long counter(String name) {
		Long value = this.meta.get(name);
		return (value != null) ? value : 0;
	}

	/** Remove expired keys (publishing their deletes) and expired lock records. */
	private void sweep() {
		try {
			long now = now();
			// A closed file is opened again by taking the lock, even when only readers use the store.
			if (!this.mvStore.isClosed() && !reading(() -> this.data.hasDue(now) || this.locks.hasExpired(now))) {
				return;
			}
			write(MAINTENANCE_TIMEOUT, () -> {
				this.data.removeDue(now);
				this.locks.expire(now);
				return null;
			});
		}
		catch (RuntimeException ex) {
			// The sweeper must keep running; the next round retries what this one could not do.
			if (this.mvStore.isClosed()) {
				logger.debug("The local store {} cannot be opened again yet", this.description, ex);
			}
			else {
				logger.warn("Sweeping expired keys of the local store {} failed", this.description, ex);
			}
		}
	}

	/**
	 * Rewrite the live pages of chunks that are mostly garbage, a step at a time, when the
	 * file's chunks hold less than {@link #COMPACT_FILL_RATE} percent live data. MVStore's
	 * background thread would do this, but it is off: it could take a write's pages into its
	 * own asynchronous commit, and then our commit would return before they reached the file.
	 */
	private void compact() {
		try {
			FileStore<?> fileStore = this.mvStore.getFileStore();
			if (this.mvStore.isClosed() || fileStore == null || fileStore.getChunksFillRate() >= COMPACT_FILL_RATE) {
				return;
			}
			lock(MAINTENANCE_TIMEOUT);
			try {
				this.mvStore.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES);
				// Its rewrite (and any write it took along) is committed and published here, not left to the next write.
				commit();
			}
			finally {
				this.writeLock.unlock();
			}
		}
		catch (RuntimeException ex) {
			// Only space is lost; the next round tries again.
			logger.debug("Compacting the local store {} failed", this.description, ex);
		}
	}

	/**
	 * A write error makes MVStore close the file rather than risk corrupting it (its panic
	 * mode). Open it again, as it was at its last commit (every write that returned), and tell
	 * every watch to resync. Under the write lock.
	 */
	private void reopenAfterFailure() {
		MVStore failed = this.mvStore;
		if (!failed.isClosed() || this.released) {
			return;
		}
		if (this.options.path() == null) {
			throw new StoreUnavailableException("local", "the " + this.description + " failed and, being in memory, is lost",
					failed.getPanicException());
		}
		MVStore reopened;
		try {
			reopened = openStore();
		}
		catch (StoreConfigurationException ex) {
			throw new StoreUnavailableException("local", "the " + this.description + " failed (" + failed.getPanicException()
					+ ") and cannot be opened again yet: " + ex.getMessage(), ex);
		}
		try {
			this.meta = openMeta(reopened);
			this.data.bind(reopened);
			this.locks.bind(reopened);
		}
		catch (RuntimeException ex) {
			reopened.closeImmediately();
			throw new StoreUnavailableException("local", "the " + this.description + " cannot be opened again yet", ex);
		}
		this.mvStore = reopened;
		this.pinned = null;
		pinCurrentVersion();
		this.pending.clear();
		// Writes made since the last commit are gone with the failed file: their writers must not return normally.
		this.batch.fail(failed.getPanicException());
		this.batch = new Batch();
		this.log = new ChangeLog(this.options.historySize(), MAX_LOG_BYTES, counter(INDEX));
		logger.warn("Opened the local store {} again after a write error", this.description, failed.getPanicException());
		for (LocalStore store : this.stores) {
			store.resync("the " + this.description + " was opened again after a write error");
		}
	}

	private MVMap<String, Long> openMeta(MVStore store) {
		MVMap<String, Long> map = store.openMap("meta",
				new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE).valueType(LongDataType.INSTANCE));
		checkFormat(map);
		return map;
	}

	private void checkFormat(MVMap<String, Long> meta) {
		Long format = meta.get(FORMAT);
		if (format == null) {
			meta.put(FORMAT, FORMAT_VERSION);
		}
		else if (format != FORMAT_VERSION) {
			throw new StoreConfigurationException("The local store " + this.description + " has format " + format
					+ ", this valkeyrie reads format " + FORMAT_VERSION);
		}
	}

	private MVStore openStore() {
		MVStore.Builder builder = new MVStore.Builder().autoCommitDisabled();
		Path path = this.options.path();
		if (path != null && this.fileStores != null) {
			builder.adoptFileStore(this.fileStores.apply(InterruptSafeFilePath.fileName(path)));
		}
		else if (path != null) {
			builder.fileName(InterruptSafeFilePath.fileName(path));
		}
		try {
			MVStore store = builder.open();
			// Space of chunks no longer used is reused at the next commit, not kept 45 s (MVStore's default, which grew
			// the file by every chunk written in that time: ~20 KB a write). A commit's writes reach the OS before it
			// returns, so a killed JVM loses nothing; with fsync the file is forced at every commit.
			store.setRetentionTime(0);
			return store;
		}
		catch (MVStoreException ex) {
			if (ex.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
				throw new StoreConfigurationException("The local store " + this.description
						+ " is in use by another process; a local store file can be opened by one process at a time"
						+ " (share it within a JVM by opening stores with the same path)", ex);
			}
			throw new StoreConfigurationException("The local store " + this.description + " cannot be opened: "
					+ ex.getMessage(), ex);
		}
	}

	StoreUnavailableException unavailable(MVStoreException ex) {
		return new StoreUnavailableException("local", "the " + this.description + " failed: " + ex.getMessage(), ex);
	}

	static long saturatedMillis(Duration duration) {
		try {
			return duration.toMillis();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
	}

	static long saturatedAdd(long a, long b) {
		long sum = a + b;
		return (sum < a) ? Long.MAX_VALUE : sum;
	}

	@Override
	public String toString() {
		return "LocalDatabase[" + this.description + "]";
	}

	/** Writes committed together; their writers wait for its commit. */
	private static final class Batch {

		private final CountDownLatch committed = new CountDownLatch(1);

		volatile @Nullable MVStoreException failed;

		void complete() {
			this.committed.countDown();
		}

		void fail(@Nullable MVStoreException failure) {
			this.failed = (failure != null) ? failure
					: DataUtils.newMVStoreException(DataUtils.ERROR_CLOSED, "the file was closed before the commit");
			complete();
		}

		boolean isDone() {
			return this.committed.getCount() == 0;
		}

		boolean await(long nanos) throws InterruptedException {
			return this.committed.await(nanos, TimeUnit.NANOSECONDS);
		}

	}

}
