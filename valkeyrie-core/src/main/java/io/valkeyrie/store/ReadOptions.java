package io.valkeyrie.store;

/**
 * Options of a read ({@code get}, {@code exists}, {@code list}).
 *
 * @param consistent whether the read must be linearizable; {@code false} allows a cheaper
 * read that may be slightly stale where the backend offers one (etcd serializable reads,
 * Consul stale reads). Backends without such a read always read consistently.
 */
public record ReadOptions(boolean consistent) {

	/** A linearizable read: the default. */
	public static final ReadOptions CONSISTENT = new ReadOptions(true);

	/** A read that may return slightly stale data where that is cheaper. */
	public static final ReadOptions STALE = new ReadOptions(false);

}
