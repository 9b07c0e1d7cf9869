package io.valkeyrie.store.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The round trips a store's close still owes the server: releasing the locks it holds and
 * cleaning up lock attempts the close ended (a queue entry, a contender znode). They run
 * side by side on threads of their own, so neither {@code close()} nor a woken lock attempt
 * waits for them one after the other: {@code close()} waits for all of them together, up to
 * its deadline ({@link #awaitUntil}), then closes the connections, which ends whatever still
 * waits for a silent server ({@link #shutdown}). What is not done by then is left to the
 * server's expiry (TTL, session, lease).
 */
final class CloseWork {

	private static final Logger logger = LoggerFactory.getLogger(CloseWork.class);

	/**
	 * The most round trips in flight at once. More are queued: on a silent server they fail
	 * at once when the connections close, so the close's deadline bounds them all the same.
	 */
	private static final int MAX_THREADS = 16;

	/** How long {@link #shutdown} waits for the threads, whose calls the closed connections end. */
	private static final long TERMINATION_MILLIS = 1000;

	private final ThreadPoolExecutor threads;

	private final Set<Thread> own = ConcurrentHashMap.newKeySet();

	/** Submitted and not finished; guarded by {@code this}. */
	private int pending;

	CloseWork(ThreadFactory threads) {
		ThreadFactory owned = (runnable) -> {
			Thread thread = threads.newThread(() -> {
				try {
					runnable.run();
				}
				finally {
					this.own.remove(Thread.currentThread());
				}
			});
			this.own.add(thread);
			return thread;
		};
		this.threads = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				owned);
		this.threads.allowCoreThreadTimeOut(true);
	}

	/** Whether {@code thread} is one of the close's. */
	boolean owns(Thread thread) {
		return this.own.contains(thread);
	}

	/**
	 * Run {@code work} in the background; failures are logged at debug level (the server
	 * expires what it leaves).
	 * @return {@code false} if the store finished closing already (its connections are gone)
	 */
	boolean submit(String what, Runnable work) {
		synchronized (this) {
			this.pending++;
		}
		try {
			this.threads.execute(() -> {
				try {
					work.run();
				}
				catch (RuntimeException ex) {
					logger.debug("{} on close failed; the server's expiry cleans it up", what, ex);
				}
				finally {
					finished();
				}
			});
			return true;
		}
		catch (RejectedExecutionException ex) {
			finished();
			return false;
		}
	}

	private synchronized void finished() {
		this.pending--;
		notifyAll();
	}

	/**
	 * Wait until everything submitted (also meanwhile) finished or {@code deadlineNanos}
	 * ({@link System#nanoTime()}) passed, whatever the thread's interrupt status (kept): an
	 * application shut down by interrupting the closing thread still releases its locks.
	 * @return how many are not finished
	 */
	synchronized int awaitUntil(long deadlineNanos) {
		boolean interrupted = Thread.interrupted();
		try {
			while (this.pending > 0) {
				long left = deadlineNanos - System.nanoTime();
				if (left <= 0) {
					break;
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this, left);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			return this.pending;
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Stop taking work and end the threads: called once the connections are closed, so what
	 * still runs fails at once; what is queued is dropped.
	 */
	void shutdown() {
		int dropped = this.threads.shutdownNow().size();
		if (dropped > 0) {
			logger.debug("{} round trips of the close were not sent; the server's expiry cleans up", dropped);
		}
		try {
			if (!this.threads.awaitTermination(TERMINATION_MILLIS, TimeUnit.MILLISECONDS)) {
				logger.debug("Round trips of the close still run {} ms after the connections closed", TERMINATION_MILLIS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
