package io.valkeyrie.store.zookeeper;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.BackendOptions;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * Requests sent with ZooKeeper's synchronous API, bounded by a deadline. The answer to a
 * synchronous request wakes the caller straight from the client's I/O thread; an
 * asynchronous one first passes through the client's event thread, one more thread
 * hand-off per request (5–10 % of a round trip on a busy host, measured). ZooKeeper's own
 * wait has no bound, so a watchdog thread interrupts a caller still waiting at its
 * deadline (the request's answer, if it ever comes, is then dropped by the client). One
 * watchdog serves every store of the JVM, and runs only while requests are in flight: it
 * ends after five seconds without any.
 */
final class BlockingCalls {

	private static final long TICK_MILLIS = 20;

	private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

	/** The callers waiting now, of every store in this JVM: one watchdog serves them all. */
	private static final Set<Call> calls = ConcurrentHashMap.newKeySet();

	private static final AtomicBoolean watching = new AtomicBoolean();

	private final long timeoutNanos;

	private volatile boolean closed;

	/** A request to send on a handle, with the synchronous API. */
	@FunctionalInterface
	interface Request<T> {

		T send(ZooKeeper zk) throws KeeperException, InterruptedException;

	}

	BlockingCalls(long timeoutNanos) {
		this.timeoutNanos = timeoutNanos;
	}

	/**
	 * Send a request and wait for its answer until the deadline.
	 * @throws StoreUnavailableException if no answer came in time or the connection failed
	 * @throws StoreInterruptedException if the caller was interrupted
	 * @throws KeeperException the other answers, for the caller to handle
	 */
	<T> T call(ZooKeeper zk, long deadline, Request<T> request) throws KeeperException {
		Call call = new Call(this, Thread.currentThread(), deadline);
		calls.add(call);
		if (this.closed) {
			calls.remove(call);
			throw new StoreClosedException("The zookeeper store is closed");
		}
		if (watching.compareAndSet(false, true)) {
			startWatchdog();
		}
		try {
			T answer;
			try {
				answer = request.send(zk);
			}
			catch (InterruptedException ex) {
				if (!call.end()) {
					throw new StoreUnavailableException(ZkClient.BACKEND, "no answer within the request timeout of "
							+ BackendOptions.format(Duration.ofNanos(this.timeoutNanos)), ex);
				}
				Thread.currentThread().interrupt();
				throw new StoreInterruptedException("Interrupted while waiting for ZooKeeper", ex);
			}
			catch (KeeperException ex) {
				call.end();
				throw ZkClient.translate(ex);
			}
			catch (RuntimeException ex) {
				call.end();
				throw ex;
			}
			// Answered, even if the deadline passed meanwhile.
			call.end();
			return answer;
		}
		finally {
			calls.remove(call);
		}
	}

	/** Refuse every later call, and end the ones waiting now. */
	void close() {
		this.closed = true;
		endCalls();
	}

	/** End the calls of this instance waiting now, as if their deadline had passed (the store closes). */
	void endCalls() {
		calls.forEach((call) -> {
			if (call.owner == this) {
				call.expire();
			}
		});
	}

	private static void startWatchdog() {
		Thread thread = new Thread(BlockingCalls::watch, "valkeyrie-zookeeper-deadlines");
		thread.setDaemon(true);
		thread.start();
	}

	private static void watch() {
		long idleSince = System.nanoTime();
		for (;;) {
			try {
				Thread.sleep(TICK_MILLIS);
			}
			catch (InterruptedException ex) {
				// Nobody interrupts this thread; keep the deadlines watched.
			}
			long now = System.nanoTime();
			if (!calls.isEmpty()) {
				idleSince = now;
				calls.forEach((call) -> call.expireAt(now));
			}
			else if (now - idleSince > IDLE_NANOS) {
				watching.set(false);
				// A request that came meanwhile saw this thread running: stay unless a new one took over.
				if (calls.isEmpty() || !watching.compareAndSet(false, true)) {
					return;
				}
				idleSince = now;
			}
		}
	}

	/** One caller waiting for an answer. */
	private static final class Call {

		private static final int WAITING = 0;

		private static final int ENDED = 1;

		private static final int EXPIRING = 2;

		private static final int EXPIRED = 3;

		private final BlockingCalls owner;

		private final Thread thread;

		private final long deadline;

		private final AtomicInteger state = new AtomicInteger(WAITING);

		Call(BlockingCalls owner, Thread thread, long deadline) {
			this.owner = owner;
			this.thread = thread;
			this.deadline = deadline;
		}

		/** Interrupt the caller if its deadline has passed and it still waits. */
		void expireAt(long now) {
			if (now - this.deadline >= 0) {
				expire();
			}
		}

		/** Interrupt the caller if it still waits. */
		void expire() {
			if (this.state.compareAndSet(WAITING, EXPIRING)) {
				this.thread.interrupt();
				this.state.set(EXPIRED);
			}
		}

		/**
		 * The caller stops waiting; whether it did so before its deadline. After the deadline
		 * the watchdog's interrupt is cleared, so it cannot hit the caller's next wait.
		 */
		boolean end() {
			if (this.state.compareAndSet(WAITING, ENDED)) {
				return true;
			}
			while (this.state.get() != EXPIRED) {
				Thread.onSpinWait();
			}
			Thread.interrupted();
			return false;
		}

	}

}
