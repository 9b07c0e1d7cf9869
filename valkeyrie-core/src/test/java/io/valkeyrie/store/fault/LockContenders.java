package io.valkeyrie.store.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreLock;

/**
 * Threads, each with its own store (its own session or lease), that take one lock in turn
 * through a fault: try for it, hold it briefly, release it, again. Each records its
 * acquisitions with their fencing tokens, and checks the exclusion the way a careful holder
 * would: on acquisition it claims a shared marker, which is a <em>double holder</em> if the
 * previous claimant's lease still says {@link LockLease#isValid() valid} (not released, not
 * lost, not past its own deadline). A holder gives the marker up before it unlocks and when
 * its lease reports the loss.
 * <p>
 * Bounded: every wait is a {@code tryLock} with a timeout, and each contender stops after
 * {@link #MAX_ACQUISITIONS}.
 */
public final class LockContenders implements AutoCloseable {

	/** Acquisitions per contender at most. */
	public static final int MAX_ACQUISITIONS = 2_000;

	private static final Duration HOLD = Duration.ofMillis(30);

	private static final Duration TRY = Duration.ofSeconds(1);

	private static final Duration PAUSE_AFTER_FAILURE = Duration.ofMillis(50);

	private final String key;

	private final LockOptions options;

	private final AtomicBoolean stopped = new AtomicBoolean();

	private final AtomicReference<LockLease> marker = new AtomicReference<>();

	private final List<Acquisition> acquisitions = new ArrayList<>();

	private final List<String> doubleHolders = new ArrayList<>();

	private final Map<String, Long> errors = new java.util.TreeMap<>();

	private final List<Thread> threads = new ArrayList<>();

	private LockContenders(String key, LockOptions options) {
		this.key = key;
		this.options = options;
	}

	/**
	 * Start one contender per store.
	 * @param stores the contenders' stores, one each
	 * @param key the lock key
	 * @param ttl the lock's TTL (it renews itself)
	 * @return the running contenders
	 */
	public static LockContenders start(List<Store> stores, String key, Duration ttl) {
		LockContenders contenders = new LockContenders(key, LockOptions.builder().ttl(ttl).build());
		for (int i = 0; i < stores.size(); i++) {
			Store store = stores.get(i);
			String name = "contender-" + i;
			contenders.threads.add(new Thread(() -> contenders.run(store, name), name));
		}
		FaultThreads.start(contenders.threads);
		return contenders;
	}

	private void run(Store store, String name) {
		StoreLock lock = store.newLock(this.key, this.options);
		for (int n = 0; n < MAX_ACQUISITIONS && !this.stopped.get(); n++) {
			try {
				Optional<LockLease> taken = lock.tryLock(TRY);
				if (taken.isPresent()) {
					hold(name, taken.get());
				}
			}
			catch (RuntimeException ex) {
				// Expected during the fault (StoreUnavailableException); the test checks the kinds.
				synchronized (this) {
					this.errors.merge(ex.getClass().getSimpleName(), 1L, Long::sum);
				}
				FaultThreads.pause(PAUSE_AFTER_FAILURE);
			}
		}
	}

	private void hold(String name, LockLease lease) {
		long acquired = System.nanoTime();
		LockLease previous = this.marker.getAndSet(lease);
		synchronized (this) {
			if (previous != null && previous.isValid()) {
				this.doubleHolders.add(name + " acquired token " + lease.fencingToken() + " while token "
						+ previous.fencingToken() + " was still valid");
			}
			this.acquisitions.add(new Acquisition(name, lease.fencingToken(), acquired));
		}
		lease.lost().thenRun(() -> this.marker.compareAndSet(lease, null));
		try {
			FaultThreads.pause(HOLD);
		}
		finally {
			this.marker.compareAndSet(lease, null);
			// A lease lost meanwhile just does nothing on close; an unreachable store throws,
			// which run() records.
			lease.close();
		}
	}

	/** Acquisitions so far. */
	public synchronized int acquisitions() {
		return this.acquisitions.size();
	}

	/** Acquisitions that began after {@code since} ({@link System#nanoTime()}). */
	public synchronized long acquisitionsSince(long since) {
		return this.acquisitions.stream().filter((a) -> a.acquired() >= since).count();
	}

	/** Each acquisition that overlapped a valid lease of another, described. */
	public synchronized List<String> doubleHolders() {
		return List.copyOf(this.doubleHolders);
	}

	/** Fencing tokens that did not grow over the previous acquisition, described. */
	public synchronized List<String> tokensNotIncreasing() {
		List<Acquisition> sorted = new ArrayList<>(this.acquisitions);
		sorted.sort(java.util.Comparator.comparingLong(Acquisition::acquired));
		List<String> out = new ArrayList<>();
		for (int i = 1; i < sorted.size(); i++) {
			if (sorted.get(i).token() <= sorted.get(i - 1).token()) {
				out.add(sorted.get(i - 1) + " then " + sorted.get(i));
			}
		}
		return out;
	}

	/** Exception class name → count, over failed lock calls. */
	public synchronized Map<String, Long> errors() {
		return Map.copyOf(this.errors);
	}

	/** Stop the contenders and wait for them (each is bounded by its try and release). */
	@Override
	public void close() {
		this.stopped.set(true);
		FaultThreads.join(this.threads);
	}

	/** One acquisition: who, its token, when ({@link System#nanoTime()}). */
	public record Acquisition(String contender, long token, long acquired) {
	}

}
