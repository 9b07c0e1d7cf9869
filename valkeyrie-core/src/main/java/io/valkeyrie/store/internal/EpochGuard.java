package io.valkeyrie.store.internal;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Detects that the server lost a namespace's data (Redis without persistence restarted, a
 * Consul {@code -dev} agent restarted, an etcd or ZooKeeper data directory wiped) and keeps
 * every {@code lastIndex} and fencing token this store hands out above every one it handed
 * out or saw before.
 * <p>
 * The store keeps an <em>epoch marker</em> in the namespace's bookkeeping area: an id and a
 * <em>base</em>. Every index the server reports is shown to callers as {@code index + base}
 * and every index a caller gives back is turned into the server's by subtracting the base
 * (an index from before the base matches no key on the server). The store adopts the
 * marker when it opens, and checks it again ({@link #verify}) after every reconnect the
 * backend notices and whenever the server answers a write or a lock acquisition with an
 * index lower than one the store saw before that call began. A missing marker, or one with
 * another id than the adopted one, means the data was lost: the store creates (atomically,
 * create-if-absent) a new epoch whose base is the highest index or token it has seen, or
 * adopts the one another client created first; if that one's base is below what this store
 * saw, it replaces it (compare-and-swap) with a higher one. For a minute after a loss, every
 * write and lock acquisition reads the marker first, so a client adopts a base another
 * client raised before its next token. Every client that adopts the new epoch therefore
 * issues tokens above what each of them saw before the loss.
 * <p>
 * What cannot be done: if no client that saw the old indexes is running when the loss is
 * noticed (every client restarted too), nobody remembers the old high-water mark and
 * indexes start again from the server's counter. See docs/compatibility.md.
 * <p>
 * Thread-safe. Translation never blocks; {@link #verify} does I/O through the backend's
 * {@link Marker} and must not run on a client library's I/O thread.
 */
public final class EpochGuard {

	/** What a resync snapshot's reason starts with when the server lost its data. */
	public static final String DATA_LOSS = io.valkeyrie.store.WatchEvent.Snapshot.SERVER_LOST_DATA;

	private static final Logger logger = LoggerFactory.getLogger(EpochGuard.class);

	private static final String FORMAT = "valkeyrie-epoch/1";

	private static final int ATTEMPTS = 10;

	/** How many lock keys the per-key token check remembers at most. */
	private static final int MAX_TOKEN_KEYS = 10_000;

	/**
	 * How long after a loss every write and lock acquisition reads the marker first: the
	 * other running clients notice the loss within about a reconnect of each other, and one
	 * that saw more raises the base meanwhile.
	 */
	private static final long SETTLING_NANOS = TimeUnit.SECONDS.toNanos(60);

	/**
	 * Where a backend keeps the epoch marker of a namespace: a small text record in its
	 * bookkeeping area, never visible to {@code get}, {@code list} or watches. Each method is
	 * one round trip and throws the store's exceptions.
	 */
	public interface Marker {

		/** The marker's text, or {@code null} if there is none. */
		@Nullable String read();

		/** Write {@code text} if there is no marker; whether it was written. */
		boolean create(String text);

		/** Replace the marker with {@code text} if it still reads {@code expected}; whether it did. */
		boolean replace(String expected, String text);

	}

	/** The adopted epoch: its id and the base added to the server's indexes. */
	record Epoch(String id, long base) {

		String encode() {
			return FORMAT + " " + this.id + " " + this.base;
		}

		static @Nullable Epoch decode(String text) {
			String[] parts = text.trim().split(" ");
			if (parts.length != 3 || !FORMAT.equals(parts[0])) {
				return null;
			}
			try {
				return new Epoch(parts[1], Long.parseLong(parts[2]));
			}
			catch (NumberFormatException ex) {
				return null;
			}
		}

		static Epoch fresh(long base) {
			return new Epoch(UUID.randomUUID().toString(), base);
		}

	}

	private final String backend;

	private volatile @Nullable Marker marker;

	private volatile @Nullable Epoch adopted;

	/** The highest index or token (as callers see it) this store handed out. */
	private final AtomicLong highWater = new AtomicLong();

	/** The highest index of a write this store made. */
	private final AtomicLong highestWrite = new AtomicLong();

	/** The highest fencing token per lock key this store handed out. */
	private final Map<String, Long> tokens = new ConcurrentHashMap<>();

	private final Object verifying = new Object();

	/** Told (with the new base) whenever the store moves to a new epoch after a loss. */
	private volatile java.util.function.LongConsumer lossListener = (base) -> {
	};

	/** Until when ({@link System#nanoTime()}) writes and acquisitions check the marker first; 0 if not settling. */
	private volatile long settlingUntil;

	EpochGuard(String backend) {
		this.backend = backend;
	}

	/**
	 * Tell {@code listener} (with the new base) whenever this store moves to a new epoch
	 * after a loss, whoever noticed it; it runs on the noticing thread and must not block.
	 */
	void onLoss(java.util.function.LongConsumer listener) {
		this.lossListener = listener;
	}

	/**
	 * Start guarding with {@code marker}: read (or create) the marker now. If the server
	 * cannot be reached the marker is adopted at the first later check.
	 */
	void start(Marker marker) {
		this.marker = marker;
		try {
			verify();
		}
		catch (RuntimeException ex) {
			// The store opens without its server (it recovers when the server returns): adopt later.
			logger.debug("Reading the epoch marker of the {} store failed; it is read at the next check", this.backend, ex);
		}
	}

	/** The base added to the server's indexes ({@code 0} until a loss was ever detected). */
	public long base() {
		Epoch epoch = this.adopted;
		return (epoch != null) ? epoch.base() : 0;
	}

	/** The highest index or token this store handed out. */
	public long highWater() {
		return this.highWater.get();
	}

	/** The highest write index this store saw, for {@link #written}. */
	long highestWrite() {
		return this.highestWrite.get();
	}

	/** A server index as callers see it ({@code 0}, "unknown", stays {@code 0}). */
	public long toClient(long index) {
		if (index <= 0) {
			return index;
		}
		long shown = index + base();
		observe(shown);
		return shown;
	}

	private void observe(long shown) {
		// Read first: most indexes are below the mark, and a write to the shared field would contend.
		if (shown > this.highWater.get()) {
			this.highWater.accumulateAndGet(shown, Math::max);
		}
	}

	/** A pair read from the server, as callers see it. */
	public KVPair toClient(KVPair pair) {
		long base = base();
		long shown = (pair.lastIndex() > 0) ? pair.lastIndex() + base : pair.lastIndex();
		observe(shown);
		return (base == 0) ? pair : KVPair.wrap(pair.key(), pair.value(), shown);
	}

	/** Pairs read from the server, as callers see them (the same list while no loss ever happened). */
	public List<KVPair> toClient(List<KVPair> pairs) {
		if (base() == 0) {
			pairs.forEach((pair) -> observe(pair.lastIndex()));
			return pairs;
		}
		return pairs.stream().map(this::toClient).toList();
	}

	/**
	 * A caller's index as the server's; {@code 0} or less when it is from before the current
	 * epoch (no key on the server can have it).
	 */
	public long toServer(long index) {
		return index - base();
	}

	/** A caller's pair with the server's index, or {@code null} if it is from before the current epoch. */
	public @Nullable KVPair toServer(KVPair pair) {
		long base = base();
		if (base == 0) {
			return pair;
		}
		long index = pair.lastIndex() - base;
		return (index > 0) ? KVPair.wrap(pair.key(), pair.value(), index) : null;
	}

	/**
	 * The index of a write the server just made, as callers see it. If it is not above the
	 * highest write index seen before the call began ({@code before}, from
	 * {@link #highestWrite()}), the server's counter went back: the marker is checked first.
	 * @param index the server's index of the write
	 * @param before {@link #highestWrite()} when the call began
	 * @return the index as callers see it
	 */
	long written(long index, long before) {
		if ((index > 0 && index + base() <= before) || settling()) {
			verifyQuietly();
		}
		long shown = toClient(index);
		if (shown > this.highestWrite.get()) {
			this.highestWrite.accumulateAndGet(shown, Math::max);
		}
		return shown;
	}

	/** The highest token handed out for {@code lockKey}, {@code 0} if none. */
	long highestToken(String lockKey) {
		return this.tokens.getOrDefault(lockKey, 0L);
	}

	/**
	 * The fencing token of an acquisition, as callers see it: checks the marker first if
	 * the server's token is not above the highest one handed out for the key before the
	 * acquisition began.
	 */
	long token(String lockKey, long token, long before) {
		if (token + base() <= before || settling()) {
			verifyQuietly();
		}
		long shown = toClient(token);
		if (this.tokens.size() >= MAX_TOKEN_KEYS && !this.tokens.containsKey(lockKey)) {
			// Bounded memory for stores that lock many keys: the reconnect checks still notice a loss.
			this.tokens.clear();
		}
		this.tokens.merge(lockKey, shown, Math::max);
		return shown;
	}

	private boolean settling() {
		long until = this.settlingUntil;
		return until != 0 && until - System.nanoTime() > 0;
	}

	private void verifyQuietly() {
		try {
			verify();
		}
		catch (RuntimeException ex) {
			// The answer in hand is real; the next reconnect or write checks again.
			logger.debug("Checking the epoch marker of the {} store failed", this.backend, ex);
		}
	}

	/**
	 * Read the marker and adopt the server's epoch, creating or raising it after a loss.
	 * Blocks for up to a few round trips.
	 * @return whether the server lost its data (the store moved to a new epoch)
	 * @throws StoreException if the marker cannot be read or written
	 */
	public boolean verify() {
		Marker marker = this.marker;
		if (marker == null) {
			return false;
		}
		synchronized (this.verifying) {
			for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
				Epoch known = this.adopted;
				String text = marker.read();
				if (text == null) {
					// First use of the namespace, or the server lost it with the marker.
					Epoch fresh = Epoch.fresh((known == null) ? 0 : Math.max(known.base(), this.highWater.get()));
					if (marker.create(fresh.encode())) {
						return adopt(known, fresh);
					}
					continue;
				}
				Epoch current = Epoch.decode(text);
				if (current == null) {
					throw new StoreException("The " + this.backend + " store's epoch marker holds '" + text
							+ "', which it cannot read; was it written by another program?");
				}
				if (known != null && known.id().equals(current.id())) {
					return false;
				}
				long needed = (known == null) ? 0 : this.highWater.get();
				if (current.base() < needed) {
					// Another client started the new epoch below indexes this store handed out.
					Epoch raised = Epoch.fresh(needed);
					if (marker.replace(text, raised.encode())) {
						return adopt(known, raised);
					}
					continue;
				}
				return adopt(known, current);
			}
			throw new StoreUnavailableException(this.backend, "the epoch marker kept changing while it was read", null);
		}
	}

	private boolean adopt(@Nullable Epoch known, Epoch epoch) {
		this.adopted = epoch;
		if (known == null) {
			return false;
		}
		long until = System.nanoTime() + SETTLING_NANOS;
		this.settlingUntil = (until == 0) ? 1 : until;
		logger.warn("The {} server lost the data of this store's namespace (its epoch marker was gone or replaced);"
				+ " indexes and fencing tokens continue above {}", this.backend, epoch.base());
		this.lossListener.accept(epoch.base());
		return true;
	}

}
