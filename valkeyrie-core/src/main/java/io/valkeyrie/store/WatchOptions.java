package io.valkeyrie.store;

import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

/**
 * Options of a watch.
 *
 * @param executor runs the listener, or {@code null} for the store's shared delivery threads.
 * Events of one watch are delivered one at a time and in order whatever the executor.
 * @param resumeFromIndex {@code 0} to start with the current state; otherwise resume after
 * this index: changes made after it are replayed where the backend keeps history, and
 * where it does not (or the history was compacted) the watch starts with a resync snapshot
 */
public record WatchOptions(@Nullable Executor executor, long resumeFromIndex) {

	/** Start with the current state, on the store's shared delivery threads. */
	public static final WatchOptions DEFAULTS = new WatchOptions(null, 0);

	public WatchOptions {
		if (resumeFromIndex < 0) {
			throw new IllegalArgumentException("'resumeFromIndex' must not be negative, was " + resumeFromIndex);
		}
	}

	/**
	 * Deliver events on {@code executor}.
	 * @param executor the executor
	 * @return new options
	 */
	public WatchOptions withExecutor(Executor executor) {
		return new WatchOptions(executor, this.resumeFromIndex);
	}

	/**
	 * Resume after {@code index}.
	 * @param index the last index the caller saw
	 * @return new options
	 */
	public WatchOptions resumeFrom(long index) {
		return new WatchOptions(this.executor, index);
	}

}
