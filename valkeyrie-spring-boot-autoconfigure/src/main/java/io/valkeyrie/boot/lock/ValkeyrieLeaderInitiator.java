package io.valkeyrie.boot.lock;

import io.valkeyrie.store.internal.BackendOptions;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.support.TaskExecutorAdapter;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * A {@link LockRegistryLeaderInitiator} whose {@link #stop()} waits until the leader has
 * given its lock back.
 * <p>
 * The plain initiator only interrupts its thread on {@code stop()}, which releases the
 * lock some time later. When the context closes, the store is closed right after the
 * initiator is stopped, so the release raced with the store's shutdown and the lock could
 * stay taken until its TTL ran out (or Consul's lock-delay passed), keeping the other
 * candidates waiting. Here each start runs the election on its own thread, and
 * {@code stop()} waits (at most {@code stopTimeout}) for that thread to finish, so
 * leadership moves to another instance as soon as the leader's context closes.
 */
public class ValkeyrieLeaderInitiator extends LockRegistryLeaderInitiator {

	private static final Log logger = LogFactory.getLog(ValkeyrieLeaderInitiator.class);

	private final Duration stopTimeout;

	private final Object monitor = new Object();

	private @Nullable ExecutorService executor;

	/**
	 * Create an initiator.
	 * @param locks the lock registry
	 * @param candidate the candidate; its role is the lock key
	 * @param stopTimeout how long {@code stop()} waits for the lock to be given back
	 */
	public ValkeyrieLeaderInitiator(LockRegistry<?> locks, Candidate candidate, Duration stopTimeout) {
		super(locks, candidate);
		this.stopTimeout = stopTimeout;
	}

	@Override
	public void start() {
		synchronized (this.monitor) {
			if (!isRunning()) {
				String role = getContext().getRole();
				this.executor = Executors.newSingleThreadExecutor((runnable) -> {
					Thread thread = new Thread(runnable, "valkeyrie-leader-" + role);
					thread.setDaemon(true);
					return thread;
				});
				setTaskExecutor(new TaskExecutorAdapter(this.executor));
			}
			super.start();
		}
	}

	@Override
	public void stop() {
		ExecutorService running;
		synchronized (this.monitor) {
			super.stop();
			running = this.executor;
			this.executor = null;
		}
		if (running == null) {
			return;
		}
		running.shutdown();
		try {
			if (!running.awaitTermination(this.stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
				logger.warn("Leader election for '" + getContext().getRole() + "' did not give its lock back within "
						+ BackendOptions.format(this.stopTimeout));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
