package io.valkeyrie.store.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that run watch listeners. A fixed number of threads serves any number of
 * watches; when every thread is stuck in a slow listener and work is waiting, the pool adds a
 * thread (up to a cap) so other watches keep flowing, and gives the extra threads back once
 * the queue is drained. This is the compensation {@code ForkJoinPool} does for blocked
 * workers, decided by lack of progress rather than by a blocking hint.
 */
final class DeliveryExecutor implements Executor, AutoCloseable {

	/** How often progress is checked. */
	static final long CHECK_MILLIS = 200;

	private final int baseThreads;

	private final int maxThreads;

	private final ThreadPoolExecutor pool;

	private final ScheduledFuture<?> monitor;

	private long lastCompleted = -1;

	DeliveryExecutor(int baseThreads, int maxThreads, ThreadFactory threads, ScheduledExecutorService scheduler) {
		this.baseThreads = baseThreads;
		this.maxThreads = Math.max(baseThreads, maxThreads);
		this.pool = new ThreadPoolExecutor(baseThreads, this.maxThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				threads);
		this.pool.allowCoreThreadTimeOut(true);
		this.monitor = scheduler.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
	}

	@Override
	public void execute(Runnable task) {
		this.pool.execute(task);
	}

	private void check() {
		long completed = this.pool.getCompletedTaskCount();
		boolean waiting = !this.pool.getQueue().isEmpty();
		int size = this.pool.getCorePoolSize();
		if (waiting && completed == this.lastCompleted && this.pool.getActiveCount() >= size && size < this.maxThreads) {
			this.pool.setCorePoolSize(size + 1);
			this.pool.prestartCoreThread();
		}
		else if (!waiting && size > this.baseThreads) {
			this.pool.setCorePoolSize(this.baseThreads);
		}
		this.lastCompleted = completed;
	}

	@Override
	public void close() {
		this.monitor.cancel(false);
		this.pool.shutdownNow();
	}

}
