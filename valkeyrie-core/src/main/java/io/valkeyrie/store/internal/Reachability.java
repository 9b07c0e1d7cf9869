package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.valkeyrie.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a store reaches its servers, as its backend's own signals and its calls tell,
 * logged once per change: one WARN (without a stack trace) when the servers become
 * unreachable, one INFO with the length of the outage when they answer again. Backends
 * report every signal they see; a report of the state already known is ignored, so a
 * thousand failed retries still log one line. Thread-safe.
 */
public final class Reachability {

	private static final Logger logger = LoggerFactory.getLogger(Reachability.class);

	/** The value of {@link #lostAt} while the servers answer. */
	private static final long REACHABLE = Long.MIN_VALUE;

	private final String store;

	private final LongSupplier nanoTime;

	/** {@link System#nanoTime()} when the servers stopped answering, or {@link #REACHABLE}. */
	private final AtomicLong lostAt = new AtomicLong(REACHABLE);

	/** {@link System#nanoTime()} when the servers last answered again after an outage. */
	private volatile long recoveredAt;

	private volatile Runnable onLost = () -> {
	};

	/**
	 * @param store how the log lines name the store, e.g. {@code etcd store (namespace 'apps',
	 * endpoints [http://etcd-1:2379])}; without credentials
	 */
	public Reachability(String store) {
		this(store, System::nanoTime);
	}

	Reachability(String store, LongSupplier nanoTime) {
		this.store = store;
		this.nanoTime = nanoTime;
		this.recoveredAt = nanoTime.getAsLong();
	}

	/** The clock {@link #callFailed} takes its start from. */
	public long now() {
		return this.nanoTime.getAsLong();
	}

	/** Whether the servers answered last. */
	public boolean isReachable() {
		return this.lostAt.get() == REACHABLE;
	}

	/**
	 * The servers did not answer; logs a WARN if they did before.
	 * @param reason why, in a few words (an exception's message, never its stack trace)
	 */
	public void unreachable(String reason) {
		long now = this.nanoTime.getAsLong();
		if (now == REACHABLE) {
			now++;
		}
		if (this.lostAt.compareAndSet(REACHABLE, now)) {
			logger.warn("The {} cannot reach its servers ({}); retrying in the background", this.store, reason);
			try {
				this.onLost.run();
			}
			catch (RuntimeException ex) {
				logger.debug("Reacting to the outage of the {} failed", this.store, ex);
			}
		}
	}

	/**
	 * Run {@code action} each time the servers stop answering, whoever noticed first (a call,
	 * or the store's background work): for a store whose client says nothing when they answer
	 * again, to start asking.
	 */
	public void onLost(Runnable action) {
		this.onLost = action;
	}

	/**
	 * A call started at {@code startedAt} ({@link System#nanoTime()}) failed as {@code failure}
	 * says; logs a WARN if the servers answered before. A call that started before the end of
	 * the last outage tells nothing new: it waited through that outage.
	 */
	public void callFailed(StoreUnavailableException failure, long startedAt) {
		if (startedAt - this.recoveredAt < 0) {
			return;
		}
		String message = String.valueOf(failure.getMessage());
		String prefix = failure.backend() + " store unavailable: ";
		unreachable(message.startsWith(prefix) ? message.substring(prefix.length()) : message);
	}

	/** The servers answered; logs an INFO with the length of the outage if they did not before. */
	public void reachable() {
		long lost = this.lostAt.get();
		if (lost != REACHABLE && this.lostAt.compareAndSet(lost, REACHABLE)) {
			long now = this.nanoTime.getAsLong();
			this.recoveredAt = now;
			Duration outage = Duration.ofNanos(now - lost);
			logger.info("The {} reaches its servers again after {}", this.store, BackendOptions.format(rounded(outage)));
		}
	}

	/** Tenths of a second above a second, milliseconds below: {@code 5.2s}, {@code 350ms}. */
	static Duration rounded(Duration outage) {
		long millis = outage.toMillis();
		return Duration.ofMillis((millis < 1000) ? millis : Math.round(millis / 100.0) * 100);
	}

}
