package io.valkeyrie.store.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;

import static org.awaitility.Awaitility.await;

/**
 * Writers that keep putting to a store through a fault and record every call: its key, value,
 * start, end and outcome. Writer {@code i} overwrites the keys {@code <dir>/w<i>/k0} ..
 * {@code k<KEYS - 1>} in turn with values {@code w<i>#<n>}, one call at a time, so for each key
 * the last acknowledged value is known exactly. {@link #stop()} hands back the {@link Outcome}
 * that checks what survived against a fresh store.
 * <p>
 * Bounded: each writer stops after {@link #MAX_CALLS} calls, and pauses {@link #PAUSE_AFTER_FAILURE}
 * after a failed call (a real client's back-off), so a server that refuses connections at once
 * does not flood the record.
 */
public final class WriteWorkload implements AutoCloseable {

	/** Keys each writer cycles through. */
	public static final int KEYS = 8;

	/** Calls per writer at most. */
	public static final int MAX_CALLS = 20_000;

	/** Pause after a failed call. */
	public static final Duration PAUSE_AFTER_FAILURE = Duration.ofMillis(50);

	private final String dir;

	private final List<Writer> writers = new ArrayList<>();

	private final AtomicBoolean stopped = new AtomicBoolean();

	private WriteWorkload(String dir) {
		this.dir = dir;
	}

	/**
	 * Start {@code writers} writer threads putting below {@code dir}.
	 * @param store the store they share
	 * @param dir the directory below which they write (watch it with {@link TreeRecorder})
	 * @param writers how many threads
	 * @return the running workload
	 */
	public static WriteWorkload start(Store store, String dir, int writers) {
		WriteWorkload workload = new WriteWorkload(dir);
		for (int i = 0; i < writers; i++) {
			Writer writer = new Writer(store, dir + "/w" + i, "w" + i, workload.stopped);
			workload.writers.add(writer);
		}
		workload.writers.forEach(Writer::begin);
		return workload;
	}

	/** The directory the writers write below. */
	public String dir() {
		return this.dir;
	}

	/** Acknowledged writes so far, all writers together. */
	public long acknowledged() {
		return this.writers.stream().mapToLong((writer) -> writer.count(Call::acknowledged, 0)).sum();
	}

	/**
	 * Wait until every writer has had {@code writes} calls acknowledged that it began after this
	 * call started: the store takes writes (again) from every thread.
	 * @return how long that took
	 * @throws org.awaitility.core.ConditionTimeoutException if not within {@code within}
	 */
	public Duration awaitAcknowledged(int writes, Duration within) {
		return awaitEveryWriter(Call::acknowledged, writes, within);
	}

	/**
	 * Wait until every writer has had {@code calls} calls fail that it began after this call
	 * started: the fault has reached every thread.
	 * @return how long that took
	 */
	public Duration awaitFailed(int calls, Duration within) {
		return awaitEveryWriter((call) -> !call.acknowledged(), calls, within);
	}

	private Duration awaitEveryWriter(Predicate<Call> which, int count, Duration within) {
		long since = System.nanoTime();
		await().atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> this.writers.stream()
			.allMatch((writer) -> writer.count(which, since) >= count || writer.ended()));
		for (Writer writer : this.writers) {
			if (writer.count(which, since) < count) {
				throw new AssertionError(writer.name + " ended before " + count + " calls: " + writer.calls());
			}
		}
		return Duration.ofNanos(System.nanoTime() - since);
	}

	/**
	 * Stop the writers and wait for their calls in flight to end.
	 * @return every call made
	 */
	public Outcome stop() {
		this.stopped.set(true);
		List<Call> all = new ArrayList<>();
		for (Writer writer : this.writers) {
			writer.join();
			all.addAll(writer.calls());
		}
		return new Outcome(all);
	}

	@Override
	public void close() {
		this.stopped.set(true);
		this.writers.forEach(Writer::join);
	}

	/**
	 * One put.
	 * @param writer which writer made it
	 * @param key the key written
	 * @param value the value written
	 * @param started {@link System#nanoTime()} before the call
	 * @param ended {@link System#nanoTime()} after it returned or threw
	 * @param failure what it threw, {@code null} if it was acknowledged
	 */
	public record Call(String writer, String key, String value, long started, long ended, Throwable failure) {

		/** Whether the store acknowledged the write (returned normally). */
		public boolean acknowledged() {
			return this.failure == null;
		}

		/** How long the call took. */
		public Duration duration() {
			return Duration.ofNanos(this.ended - this.started);
		}

	}

	/** What the writers did, and the checks on it. */
	public static final class Outcome {

		private final List<Call> calls;

		Outcome(List<Call> calls) {
			this.calls = List.copyOf(calls);
		}

		/** Every call, each writer's in order. */
		public List<Call> calls() {
			return this.calls;
		}

		/** Acknowledged writes. */
		public long acknowledged() {
			return this.calls.stream().filter(Call::acknowledged).count();
		}

		/** The failed calls. */
		public List<Call> failed() {
			return this.calls.stream().filter((call) -> !call.acknowledged()).toList();
		}

		/** The failed calls whose exception is not an instance of {@code allowed}. */
		public List<Call> failedOtherThan(Class<? extends Throwable> allowed) {
			return failed().stream().filter((call) -> !allowed.isInstance(call.failure())).toList();
		}

		/** Exception class name → count, over the failed calls. */
		public Map<String, Long> errors() {
			Map<String, Long> errors = new LinkedHashMap<>();
			failed().forEach((call) -> errors.merge(call.failure().getClass().getSimpleName(), 1L, Long::sum));
			return errors;
		}

		/** The longest call. */
		public Duration longest() {
			return this.calls.stream().map(Call::duration).max(Duration::compareTo).orElse(Duration.ZERO);
		}

		/** The calls that took longer than {@code bound}. */
		public List<Call> longerThan(Duration bound) {
			return this.calls.stream().filter((call) -> call.duration().compareTo(bound) > 0).toList();
		}

		/**
		 * The keys whose value in {@code reader} (a store opened after the fault) is neither the
		 * last acknowledged value nor the value of a failed write that came after it: an
		 * acknowledged write was lost (or overwritten by an older write applied late). A key
		 * never acknowledged may be absent or hold a failed write's value.
		 * @return one line per lost key: key, what was expected, what was found
		 */
		public List<String> lost(Store reader) {
			Map<String, List<Call>> byKey = new LinkedHashMap<>();
			this.calls.forEach((call) -> byKey.computeIfAbsent(call.key(), (k) -> new ArrayList<>()).add(call));
			List<String> lost = new ArrayList<>();
			byKey.forEach((key, calls) -> {
				int last = -1;
				for (int i = 0; i < calls.size(); i++) {
					if (calls.get(i).acknowledged()) {
						last = i;
					}
				}
				List<String> allowed = new ArrayList<>();
				for (int i = Math.max(last, 0); i < calls.size(); i++) {
					allowed.add(calls.get(i).value());
				}
				Optional<String> found = reader.find(key).map(KVPair::valueAsString);
				boolean ok = found.map(allowed::contains).orElse(last < 0);
				if (!ok) {
					lost.add(key + ": expected " + ((last < 0) ? "absent or one of " : "one of ") + allowed + ", found "
							+ found.orElse("nothing"));
				}
			});
			return lost;
		}

	}

	private static final class Writer {

		private final Store store;

		private final String prefix;

		private final String name;

		private final AtomicBoolean stopped;

		private final List<Call> calls = new ArrayList<>();

		private final Thread thread;

		private volatile boolean ended;

		Writer(Store store, String prefix, String name, AtomicBoolean stopped) {
			this.store = store;
			this.prefix = prefix;
			this.name = name;
			this.stopped = stopped;
			this.thread = new Thread(this::run, "writer-" + name);
			this.thread.setDaemon(true);
		}

		void begin() {
			this.thread.start();
		}

		private void run() {
			try {
				for (int n = 0; n < MAX_CALLS && !this.stopped.get(); n++) {
					String key = this.prefix + "/k" + (n % KEYS);
					String value = this.name + "#" + n;
					long started = System.nanoTime();
					Throwable failure = null;
					try {
						this.store.put(key, value);
					}
					catch (RuntimeException ex) {
						failure = ex;
					}
					record(new Call(this.name, key, value, started, System.nanoTime(), failure));
					if (failure != null) {
						TimeUnit.NANOSECONDS.sleep(PAUSE_AFTER_FAILURE.toNanos());
					}
				}
			}
			catch (InterruptedException ex) {
				// Only close() after a failed join interrupts: end the writer.
				Thread.currentThread().interrupt();
			}
			finally {
				this.ended = true;
			}
		}

		private synchronized void record(Call call) {
			this.calls.add(call);
		}

		synchronized List<Call> calls() {
			return List.copyOf(this.calls);
		}

		synchronized long count(Predicate<Call> which, long startedAfter) {
			return this.calls.stream().filter((call) -> call.started() >= startedAfter && which.test(call)).count();
		}

		boolean ended() {
			return this.ended;
		}

		void join() {
			try {
				this.thread.join(TimeUnit.SECONDS.toMillis(60));
				if (this.thread.isAlive()) {
					this.thread.interrupt();
					throw new AssertionError(this.name + " still in a call 60 s after stop: " + stackOf(this.thread));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("interrupted while stopping " + this.name, ex);
			}
		}

		private static String stackOf(Thread thread) {
			StringBuilder out = new StringBuilder();
			for (StackTraceElement element : thread.getStackTrace()) {
				out.append("\n\tat ").append(element);
			}
			return out.toString();
		}

	}

}
