package io.valkeyrie.benchmarks.lock;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.benchmarks.Samples;

/**
 * Hand-over latency: a holder (a client of its own) holds the lock while a waiter (another
 * client, as in another process) blocks in {@code lock()}; the time from the start of the
 * holder's {@code unlock()} to the return of the waiter's {@code lock()} is one sample. The
 * holder holds for a random 5–25 ms after the waiter started waiting; for the spin lock,
 * which polls every 100 ms, a random 5–105 ms, so the unlock falls at a random point of the
 * waiter's poll cycle instead of always at the same one.
 */
public final class LockHandover {

	private final int warmup;

	private final int samples;

	public LockHandover(int warmup, int samples) {
		this.warmup = warmup;
		this.samples = samples;
	}

	/** Measure one variant; throws if it cannot run. */
	public Samples run(String variant) throws Exception {
		Samples samples = new Samples(this.samples);
		run(variant, samples);
		return samples;
	}

	/** Measure one variant, adding the samples to {@code samples}; throws if it cannot run. */
	public void run(String variant, Samples samples) throws Exception {
		int maxHold = variant.equals("si-redis-spin") ? 105 : 25;
		ExecutorService waiterThread = Executors.newSingleThreadExecutor();
		try (LockClient holderClient = LockClient.open(variant); LockClient waiterClient = LockClient.open(variant)) {
			Locker holder = holderClient.locker("bench/handover");
			Locker waiter = waiterClient.locker("bench/handover");
			for (int i = 0; i < this.warmup + this.samples; i++) {
				holder.lock();
				CountDownLatch waiting = new CountDownLatch(1);
				long[] acquired = new long[1];
				Future<?> waited = waiterThread.submit(() -> {
					waiting.countDown();
					waiter.lock();
					acquired[0] = System.nanoTime();
					waiter.unlock();
				});
				waiting.await();
				Thread.sleep(ThreadLocalRandom.current().nextInt(5, maxHold + 1));
				long released = System.nanoTime();
				holder.unlock();
				waited.get(30, TimeUnit.SECONDS);
				if (i >= this.warmup) {
					samples.add(acquired[0] - released);
				}
			}
		}
		finally {
			waiterThread.shutdownNow();
		}
	}

}
