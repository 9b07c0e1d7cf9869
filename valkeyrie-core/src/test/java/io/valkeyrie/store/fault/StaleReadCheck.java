package io.valkeyrie.store.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.Store;

/**
 * Looks for stale reads presented as consistent: one thread writes a counter (1, 2, 3, ...)
 * through one store, another reads it with a consistent {@code get} through a second store (the
 * one the fault is aimed at). A read that began after the write of {@code n} was acknowledged
 * must return at least {@code n}, or fail; returning less is a stale read. Bounded: both
 * threads pause after a failure and stop at {@link #close()}.
 */
public final class StaleReadCheck implements AutoCloseable {

	private static final Duration PAUSE_AFTER_FAILURE = Duration.ofMillis(50);

	private final String key;

	private final AtomicBoolean stopped = new AtomicBoolean();

	/** The highest counter value whose write was acknowledged. */
	private final AtomicLong acknowledged = new AtomicLong();

	private final AtomicLong reads = new AtomicLong();

	private final List<String> stale = new ArrayList<>();

	/** Values whose write failed: one read back below the floor was applied late, not read stale. */
	private final Set<Long> failedWrites = ConcurrentHashMap.newKeySet();

	private final List<String> lateWrites = new ArrayList<>();

	private final Map<String, Long> errors = new TreeMap<>();

	private final List<Thread> threads = new ArrayList<>();

	private StaleReadCheck(String key) {
		this.key = key;
	}

	/**
	 * Start writing through {@code writing} and reading through {@code reading}.
	 * @param writing the store whose acknowledged writes set the floor
	 * @param reading the store under test
	 * @param key the counter's key
	 * @return the running check
	 */
	public static StaleReadCheck start(Store writing, Store reading, String key) {
		StaleReadCheck check = new StaleReadCheck(key);
		check.threads.add(new Thread(() -> check.write(writing), "stale-read-writer"));
		check.threads.add(new Thread(() -> check.read(reading), "stale-read-reader"));
		FaultThreads.start(check.threads);
		return check;
	}

	private void write(Store store) {
		for (long n = 1; !this.stopped.get(); n++) {
			try {
				store.put(this.key, Long.toString(n));
				this.acknowledged.accumulateAndGet(n, Math::max);
			}
			catch (RuntimeException ex) {
				// The writer's outage is not what this checks; the next attempt writes the next value,
				// so a failed write that the server applies later still reads back as itself.
				this.failedWrites.add(n);
				FaultThreads.pause(PAUSE_AFTER_FAILURE);
			}
		}
	}

	private void read(Store store) {
		while (!this.stopped.get()) {
			long floor = this.acknowledged.get();
			try {
				long seen = Long.parseLong(store.get(this.key).valueAsString());
				this.reads.incrementAndGet();
				if (seen < floor) {
					synchronized (this) {
						(this.failedWrites.contains(seen) ? this.lateWrites : this.stale)
							.add("read " + seen + " after " + floor + " was acknowledged");
					}
				}
			}
			catch (KeyNotFoundException ex) {
				if (floor > 0) {
					synchronized (this) {
						this.stale.add("read nothing after " + floor + " was acknowledged");
					}
				}
			}
			catch (RuntimeException ex) {
				synchronized (this) {
					this.errors.merge(ex.getClass().getSimpleName(), 1L, Long::sum);
				}
				FaultThreads.pause(PAUSE_AFTER_FAILURE);
			}
		}
	}

	/** Successful reads so far. */
	public long reads() {
		return this.reads.get();
	}

	/** The stale reads, described. */
	public synchronized List<String> stale() {
		return List.copyOf(this.stale);
	}

	/**
	 * Reads below the floor that returned the value of a write that had failed: the server
	 * applied that write after later ones were acknowledged.
	 */
	public synchronized List<String> lateWrites() {
		return List.copyOf(this.lateWrites);
	}

	/** Exception class name → count, over failed reads. */
	public synchronized Map<String, Long> errors() {
		return Map.copyOf(this.errors);
	}

	/** Stop both threads and wait for their calls in flight. */
	@Override
	public void close() {
		this.stopped.set(true);
		FaultThreads.join(this.threads);
	}

}
