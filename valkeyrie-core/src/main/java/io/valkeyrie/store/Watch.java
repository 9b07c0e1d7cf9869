package io.valkeyrie.store;

/**
 * A running watch. Closing it stops delivery: once {@link #close()} returns no further
 * event reaches the listener (a listener may close its own watch from inside
 * {@code onEvent}). Thread-safe.
 */
public interface Watch extends AutoCloseable {

	/** The watched key or directory in normal form. */
	String key();

	/** Whether this watches a subtree ({@code watchTree}) rather than one key. */
	boolean isTree();

	/** Whether the watch is still delivering events (not closed, store not closed). */
	boolean isActive();

	/** The index of the last change delivered, {@code 0} before the first. Useful to resume. */
	long lastIndex();

	/** Stop the watch. Idempotent. */
	@Override
	void close();

}
