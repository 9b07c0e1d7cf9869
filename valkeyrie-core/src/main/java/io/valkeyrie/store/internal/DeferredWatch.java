package io.valkeyrie.store.internal;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchListener;
import io.valkeyrie.store.WatchOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch registered on a {@link DeferredStore} before it connected: it becomes the backend
 * store's watch once that opens, and its first state is then delivered as a resync (the
 * listener may have assumed an empty state until then). Thread-safe.
 */
final class DeferredWatch implements Watch {

	/** The reason of the first snapshot after the store connected. */
	static final String CONNECTED = "the store connected to its server";

	private static final Logger logger = LoggerFactory.getLogger(DeferredWatch.class);

	private final DeferredStore store;

	private final String key;

	private final boolean tree;

	private final WatchOptions options;

	private final WatchListener listener;

	/** Guarded by {@code this}. */
	private @Nullable Watch attached;

	/** Guarded by {@code this}. */
	private boolean closed;

	DeferredWatch(DeferredStore store, String key, boolean tree, WatchOptions options, WatchListener listener) {
		this.store = store;
		this.key = key;
		this.tree = tree;
		this.options = options;
		this.listener = listener;
	}

	/** Register on the backend's store; held under the lock so that close() waits for it. */
	synchronized void attach(Store backend) {
		if (this.closed) {
			return;
		}
		WatchListener first = new ResyncFirst(this.listener);
		try {
			this.attached = this.tree ? backend.watchTree(this.key, this.options, first)
					: backend.watch(this.key, this.options, first);
		}
		catch (StoreException ex) {
			// The backend's watch retries its own first read; it only refuses when the store is closing.
			logger.debug("Watch on '{}' not attached: {}", this.key, ex.getMessage());
		}
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public boolean isTree() {
		return this.tree;
	}

	@Override
	public synchronized boolean isActive() {
		return (this.attached != null) ? this.attached.isActive() : !this.closed && !this.store.isClosed();
	}

	@Override
	public synchronized long lastIndex() {
		return (this.attached != null) ? this.attached.lastIndex() : 0;
	}

	@Override
	public void close() {
		Watch watch;
		synchronized (this) {
			this.closed = true;
			watch = this.attached;
		}
		this.store.forget(this);
		if (watch != null) {
			watch.close();
		}
	}

	/** Marks the first snapshot as a resync. Called by one delivery at a time. */
	private static final class ResyncFirst implements WatchListener {

		private final WatchListener listener;

		private boolean first = true;

		ResyncFirst(WatchListener listener) {
			this.listener = listener;
		}

		@Override
		public void onEvent(WatchEvent event) {
			WatchEvent delivered = event;
			if (this.first) {
				this.first = false;
				if (event instanceof WatchEvent.Snapshot snapshot && !snapshot.isResync()) {
					delivered = new WatchEvent.Snapshot(snapshot.watchedKey(), snapshot.current(), true, CONNECTED);
				}
			}
			this.listener.onEvent(delivered);
		}

	}

}
