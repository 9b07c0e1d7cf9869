package io.valkeyrie.boot.lock;

import java.util.ConcurrentModificationException;

import io.valkeyrie.store.LockLoss;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@code unlock} (and {@code renewLock}) of a lock that was lost while held: its
 * session expired, its renewal failed or its record was removed, so another process may
 * have held it in the meantime. The work done under the lock was not protected.
 * <p>
 * A {@link ConcurrentModificationException}, as Spring Integration's Redis and JDBC
 * registries throw for a lock that expired in the store, so code written for them keeps
 * working.
 */
public class LockLostException extends ConcurrentModificationException {

	private static final long serialVersionUID = 1L;

	private final transient @Nullable LockLoss loss;

	LockLostException(String lockKey, @Nullable LockLoss loss) {
		super("Lock '" + lockKey + "' was lost while held"
				+ ((loss != null) ? " (" + loss.reason() + ", fencing token " + loss.fencingToken() + ")" : "")
				+ "; another process may have held it since", (loss != null) ? loss.cause() : null);
		this.loss = loss;
	}

	/** What the store reported about the loss, or {@code null} if it was not told yet. */
	public @Nullable LockLoss getLoss() {
		return this.loss;
	}

}
