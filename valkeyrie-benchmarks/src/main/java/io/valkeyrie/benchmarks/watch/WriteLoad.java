package io.valkeyrie.benchmarks.watch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Background writes to other keys of the watched namespace ({@value #KEYS} keys, round
 * robin) while a watch latency is measured: paced at a rate, or as fast as the writers go
 * (a closed loop, to find the rate the backend sustains).
 */
final class WriteLoad implements AutoCloseable {

	/** How many load keys the writes go round. */
	static final int KEYS = 100;

	private static final int THREADS = 4;

	/** Writes key {@code n} (0 ≤ n &lt; {@link #KEYS}) of the load with a value. */
	@FunctionalInterface
	interface Writer {

		void write(int n, byte[] value) throws Exception;

	}

	private final List<Thread> threads = new ArrayList<>();

	private final AtomicLong writes = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final long started = System.nanoTime();

	private volatile boolean stopped;

	private long stoppedAt;

	/**
	 * Start writing.
	 * @param writer the writes
	 * @param rate puts per second over all writer threads, or 0 for a closed loop
	 */
	WriteLoad(Writer writer, double rate) {
		for (int t = 0; t < THREADS; t++) {
			int thread = t;
			Thread load = new Thread(() -> write(writer, rate, thread), "bench-write-load-" + t);
			load.setDaemon(true);
			this.threads.add(load);
			load.start();
		}
	}

	/** The highest rate {@code writer} sustains: a closed loop of the writer threads for {@code millis}. */
	static double sustained(Writer writer, long millis) throws InterruptedException {
		WriteLoad load = new WriteLoad(writer, 0);
		Thread.sleep(millis);
		load.close();
		return load.rate();
	}

	private void write(Writer writer, double rate, int thread) {
		// Each thread owns every THREADS-th slot of the schedule; a thread that falls behind
		// does not burst to catch up by more than one slot (an open loop, bounded).
		long period = (rate > 0) ? (long) (1e9 * THREADS / rate) : 0;
		long due = this.started + (period * thread) / THREADS;
		int n = thread;
		while (!this.stopped) {
			if (period > 0) {
				long now = System.nanoTime();
				if (due > now) {
					LockSupport.parkNanos(due - now);
					continue;
				}
				due = Math.max(due + period, now - period);
			}
			try {
				writer.write(n % KEYS, ("load-" + n).getBytes(StandardCharsets.UTF_8));
				this.writes.incrementAndGet();
			}
			catch (InterruptedException ex) {
				return;
			}
			catch (Exception ex) {
				// Counted: a load that fails shows as a lower achieved rate and in the notes.
				this.failures.incrementAndGet();
			}
			n += THREADS;
		}
	}

	/** Puts per second achieved from the start until now (or until closed). */
	double rate() {
		long end = this.stopped ? this.stoppedAt : System.nanoTime();
		return this.writes.get() * 1e9 / Math.max(1, end - this.started);
	}

	long failures() {
		return this.failures.get();
	}

	@Override
	public void close() throws InterruptedException {
		if (this.stopped) {
			return;
		}
		this.stoppedAt = System.nanoTime();
		this.stopped = true;
		for (Thread thread : this.threads) {
			thread.join(10_000);
		}
	}

}
