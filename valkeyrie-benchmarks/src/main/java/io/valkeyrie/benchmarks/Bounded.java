package io.valkeyrie.benchmarks;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one measurement with a deadline, so a backend that hangs (a lock never granted, an
 * event never delivered) fails its rows instead of stalling the whole run. The task runs
 * on a daemon thread that is interrupted, and abandoned, at the deadline.
 */
public final class Bounded {

	private Bounded() {
	}

	public static <T> T call(String what, Duration timeout, Callable<T> task) throws Exception {
		FutureTask<T> future = new FutureTask<>(task);
		Thread thread = new Thread(future, "bench-" + what);
		thread.setDaemon(true);
		thread.start();
		try {
			return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			thread.interrupt();
			throw new TimeoutException(what + " did not finish within " + timeout.toSeconds() + " s");
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof Exception cause) {
				throw cause;
			}
			throw ex;
		}
	}

}
