package io.valkeyrie.store.local;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.AbstractStore;
import io.valkeyrie.store.internal.Keys;
import io.valkeyrie.store.local.ChangeLog.Committed;
import org.h2.mvstore.FileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * A store in an embedded H2 MVStore database: a file (option {@code path}) or memory
 * (optionally shared in this JVM under option {@code name}). Every write is committed
 * before it returns, so it survives the death of the JVM; with option {@code fsync} it is
 * also forced to disk. A file is used by one process at a time; stores opened on the same
 * file (or in-memory name) in one JVM share the database, its watches and its locks.
 * <pre>{@code
 * try (Store store = LocalStore.builder().path(Path.of("data/valkeyrie.mv")).open()) {
 *     store.put("config/feature", "on");
 * }
 * }</pre>
 * Thread-safe.
 */
public final class LocalStore extends AbstractStore {

	private static final Logger logger = LoggerFactory.getLogger(LocalStore.class);

	private final LocalDatabase database;

	private final long session;

	private final Set<String> keptAlive = ConcurrentHashMap.newKeySet();

	private LocalStore(StoreConfig config, LocalOptions options, LocalDatabase database) {
		super("local", config);
		this.database = database;
		this.session = database.attach(this, options.fsync());
	}

	/**
	 * Open a local store.
	 * @param config the configuration; its options are described in {@link Builder}
	 * @return the open store
	 * @throws StoreConfigurationException if the options are invalid, or the file cannot be
	 * opened (in use by another process, unreadable)
	 */
	public static LocalStore open(StoreConfig config) {
		return builder().config(config).open();
	}

	/** A builder of a local store: in memory unless a path or name is given. */
	public static Builder builder() {
		return new Builder();
	}

	@Override
	public Duration minimumTtl() {
		return Duration.ofMillis(1);
	}

	@Override
	protected String minimumTtlReason() {
		return "the local store has no server imposing a minimum; expired keys are hidden from reads at once and swept every "
				+ LocalDatabase.SWEEP_INTERVAL.toMillis() + " ms";
	}

	// ---- Store operations ---------------------------------------------------------------

	@Override
	protected void doPut(String key, byte[] value, WriteOptions options) {
		String full = full(key);
		this.database.put(this, full, value, options);
		keptAlive(full, options);
	}

	@Override
	protected @Nullable KVPair doGet(String key, ReadOptions options) {
		Entry entry = this.database.get(full(key));
		return (entry != null) ? KVPair.wrap(key, entry.value(), entry.index()) : null;
	}

	@Override
	protected boolean doDelete(String key) {
		return this.database.delete(this, full(key));
	}

	@Override
	protected @Nullable List<KVPair> doList(String dir, ReadOptions options) {
		String full = full(dir);
		List<KVPair> pairs = new ArrayList<>();
		this.database.forEachBelow(Keys.childPrefix(full), (key, entry) -> pairs.add(pair(key, entry)));
		if (pairs.isEmpty() && (dir.isEmpty() || this.database.get(full) == null)) {
			return null;
		}
		return pairs;
	}

	@Override
	protected boolean doDeleteTree(String dir) {
		return this.database.deleteTree(this, full(dir), !dir.isEmpty());
	}

	@Override
	protected KVPair doAtomicPut(String key, byte[] value, @Nullable KVPair previous, WriteOptions options) {
		String full = full(key);
		Entry entry = this.database.atomicPut(this, full, key, value, (previous != null) ? previous.lastIndex() : null, options);
		keptAlive(full, options);
		return KVPair.wrap(key, entry.value(), entry.index());
	}

	@Override
	protected void doAtomicDelete(String key, KVPair previous) {
		this.database.atomicDelete(this, full(key), key, previous.lastIndex());
	}

	@Override
	protected StoreLock doNewLock(String key, LockOptions options) {
		return new LocalLock(this, key, full(key), options, this.database.locks());
	}

	@Override
	protected void doClose() {
		try {
			this.database.detach(this, this.session, this.keptAlive);
		}
		finally {
			this.database.release();
		}
	}

	@Override
	protected Map<String, Object> doServerInfo() {
		return this.database.info();
	}

	// ---- Watches ------------------------------------------------------------------------

	@Override
	public Snapshot snapshot(String key, boolean tree) {
		NavigableMap<String, KVPair> pairs = new TreeMap<>();
		long revision = this.database.read(timeout(), full(key), tree, (k, entry) -> {
			KVPair pair = pair(k, entry);
			pairs.put(pair.key(), pair);
		});
		return new Snapshot(pairs, revision);
	}

	@Override
	public @Nullable History history(String key, boolean tree, long index) {
		LocalDatabase.History history = this.database.history(timeout(), full(key), tree, index);
		if (history == null) {
			return null;
		}
		NavigableMap<String, KVPair> state = new TreeMap<>();
		history.state().forEach((k, entry) -> {
			KVPair pair = pair(k, entry);
			state.put(pair.key(), pair);
		});
		List<Change> changes = new ArrayList<>();
		for (Committed change : history.changes()) {
			String relative = Keys.relativize(namespace(), change.key());
			changes.add(new Change(relative,
					(change.entry() != null) ? KVPair.wrap(relative, change.entry().value(), change.index()) : null,
					change.index()));
		}
		return new History(state, changes, history.revision());
	}

	/** Tell every watch of this store that changes may have been missed. */
	void resync(String reason) {
		hub().resyncAll(reason);
	}

	/** Hand a committed change of the database to this store's watches, if it concerns them. */
	void publish(Committed change) {
		if (!Keys.isBelow(change.key(), namespace())) {
			return;
		}
		String key = Keys.relativize(namespace(), change.key());
		try {
			if (!hub().isWatched(key)) {
				return;
			}
			Entry entry = change.entry();
			if (entry != null) {
				hub().publishPut(KVPair.wrap(key, entry.value(), change.index()));
			}
			else {
				hub().publishDelete(key, change.index());
			}
		}
		catch (RuntimeException ex) {
			// One store's watches must not keep the change from the others; its watchers resync.
			logger.warn("Publishing a change of '{}' to the watches of {} failed", key, this, ex);
			hub().resyncAll("a change could not be delivered: " + ex.getMessage());
		}
	}

	// ---- For the package ----------------------------------------------------------------

	long session() {
		return this.session;
	}

	Duration timeout() {
		return requestTimeout();
	}

	LocalDatabase database() {
		return this.database;
	}

	@Override
	public String toString() {
		return "LocalStore[backend=local, " + this.database.description() + ", namespace='" + namespace() + "'"
				+ (isClosed() ? ", closed" : "") + "]";
	}

	private String full(String key) {
		return Keys.join(namespace(), key);
	}

	private KVPair pair(String fullKey, Entry entry) {
		return KVPair.wrap(Keys.relativize(namespace(), fullKey), entry.value(), entry.index());
	}

	private void keptAlive(String full, WriteOptions options) {
		if (options.keepAlive()) {
			this.keptAlive.add(full);
		}
	}

	/**
	 * Builder of a {@link LocalStore}. Options (also usable as {@link StoreConfig#options()}):
	 * <ul>
	 * <li>{@code path}: the database file; without it the database is in memory.</li>
	 * <li>{@code name}: a name under which stores in this JVM share an in-memory database.</li>
	 * <li>{@code fsync} (default {@code false}): force every write to disk, so it also
	 * survives power loss (without it a write survives the death of the JVM). Once a store
	 * of a shared database asks for it, every write to that database is forced.</li>
	 * <li>{@code historySize} (default 10000): how many changes are kept in memory to
	 * resume watches from an index.</li>
	 * </ul>
	 */
	public static final class Builder {

		private StoreConfig.Builder config = StoreConfig.builder("local");

		private InstantSource clock = InstantSource.system();

		private @Nullable Function<String, FileStore<?>> fileStores;

		private Builder() {
		}

		/** Start from a configuration (its backend must be {@code local}); replaces settings given before. */
		public Builder config(StoreConfig config) {
			Objects.requireNonNull(config, "'config' must not be null");
			if (!"local".equals(config.backend())) {
				throw new StoreConfigurationException("A LocalStore needs a configuration of the 'local' backend, not '"
						+ config.backend() + "'");
			}
			this.config = config.toBuilder();
			return this;
		}

		/** The database file. */
		public Builder path(Path path) {
			this.config.option(LocalOptions.PATH, Objects.requireNonNull(path, "'path' must not be null"));
			return this;
		}

		/** The name of an in-memory database shared by the stores of this JVM that give the same name. */
		public Builder name(String name) {
			this.config.option(LocalOptions.NAME, Objects.requireNonNull(name, "'name' must not be null"));
			return this;
		}

		/** The namespace every key lives under. */
		public Builder namespace(String namespace) {
			this.config.namespace(namespace);
			return this;
		}

		/** Whether every write is forced to disk (default {@code false}). */
		public Builder fsync(boolean fsync) {
			this.config.option(LocalOptions.FSYNC, fsync);
			return this;
		}

		/**
		 * The time source of TTLs and lock expiry (default the system clock). Stores sharing a
		 * database use the clock of the first one opened.
		 */
		public Builder clock(InstantSource clock) {
			this.clock = Objects.requireNonNull(clock, "'clock' must not be null");
			return this;
		}

		/** Open the file with this factory instead of MVStore's own (for tests that make the disk fail). */
		Builder fileStores(Function<String, FileStore<?>> fileStores) {
			this.fileStores = fileStores;
			return this;
		}

		/** Open the store. */
		public LocalStore open() {
			StoreConfig config = this.config.build();
			LocalOptions options = LocalOptions.of(config);
			LocalDatabase database = LocalDatabase.acquire(options, this.clock, this.fileStores);
			try {
				return new LocalStore(config, options, database);
			}
			catch (RuntimeException | Error ex) {
				database.release();
				throw ex;
			}
		}

	}

}
