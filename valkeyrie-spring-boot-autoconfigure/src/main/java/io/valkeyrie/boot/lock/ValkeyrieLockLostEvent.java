package io.valkeyrie.boot.lock;

import io.valkeyrie.store.LockLoss;

import org.springframework.context.ApplicationEvent;

/**
 * Published when a lock of a {@link ValkeyrieLockRegistry} is lost while held (session
 * expiry, failed renewal, lock record removed, store closed). The holder learns it here as
 * soon as the store does, not only when it calls {@code unlock}.
 */
public class ValkeyrieLockLostEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final String lockKey;

	private final transient LockLoss loss;

	/**
	 * Create an event.
	 * @param source the registry
	 * @param lockKey the lock key as passed to {@code obtain}
	 * @param loss what the store reported
	 */
	public ValkeyrieLockLostEvent(Object source, String lockKey, LockLoss loss) {
		super(source);
		this.lockKey = lockKey;
		this.loss = loss;
	}

	/** The lock key as passed to {@code obtain}. */
	public String getLockKey() {
		return this.lockKey;
	}

	/** Why the lock was lost. */
	public LockLoss.Reason getReason() {
		return this.loss.reason();
	}

	/** The fencing token of the lost acquisition. */
	public long getFencingToken() {
		return this.loss.fencingToken();
	}

	/** What the store reported. */
	public LockLoss getLoss() {
		return this.loss;
	}

	@Override
	public String toString() {
		return "ValkeyrieLockLostEvent[lockKey=" + this.lockKey + ", reason=" + this.loss.reason() + "]";
	}

}
