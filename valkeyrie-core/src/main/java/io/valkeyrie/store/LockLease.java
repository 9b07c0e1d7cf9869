package io.valkeyrie.store;

import java.util.concurrent.CompletionStage;

/**
 * One acquisition of a {@link StoreLock}. Closing the lease releases the lock if it is
 * still held, so a lease fits try-with-resources:
 * <pre>{@code
 * try (LockLease lease = store.newLock("jobs/nightly", LockOptions.DEFAULTS).lock()) {
 *     writeWithFence(lease.fencingToken());
 * }
 * }</pre>
 */
public interface LockLease extends AutoCloseable {

	/** The locked key in normal form. */
	String key();

	/**
	 * A number that grows with every acquisition of this lock key, on every backend. Pass it
	 * to the resource the lock protects so it can refuse a stale holder. It also grows across
	 * a loss of the server's data (a restart without persistence) for every client that saw
	 * the earlier tokens and is still running; if none is, tokens start again (see
	 * docs/compatibility.md, "When the server loses its data").
	 */
	long fencingToken();

	/**
	 * Whether the lease is still held: not released, not lost, and not past its own deadline
	 * (see {@link StoreLock}); a lease found past it is reported lost here.
	 */
	boolean isValid();

	/**
	 * Completes when the lock is lost while held (session expiry, renewal failure, lock
	 * record removed, store closed). It does not complete on a normal release.
	 * <p>
	 * Actions attached with the non-async methods run on the thread that noticed the loss, and a
	 * call of the holder's store that finds the lease lost returns only after they ran: keep them
	 * short, and do not make them wait for another thread's call of the same store.
	 */
	CompletionStage<LockLoss> lost();

	/** Release the lock if this lease still holds it; otherwise do nothing. */
	@Override
	void close();

}
