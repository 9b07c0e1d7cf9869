package io.valkeyrie.store.fault;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The threads of the fault workloads: started as daemons, joined with a bound. */
final class FaultThreads {

	private FaultThreads() {
	}

	/** Start {@code threads} as daemon threads. */
	static void start(List<Thread> threads) {
		threads.forEach((thread) -> {
			thread.setDaemon(true);
			thread.start();
		});
	}

	/** Sleep {@code duration}; an interrupt ends the sleep and is kept. */
	static void pause(Duration duration) {
		try {
			TimeUnit.NANOSECONDS.sleep(duration.toNanos());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Wait for {@code threads} to end, each at most 60 s.
	 * @throws AssertionError naming a thread still running after that: a call that hangs
	 */
	static void join(List<Thread> threads) {
		for (Thread thread : threads) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(60));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("interrupted while waiting for " + thread.getName(), ex);
			}
			if (thread.isAlive()) {
				throw new AssertionError(thread.getName() + " still in a call 60 s after stop");
			}
		}
	}

}
