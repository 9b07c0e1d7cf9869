package io.valkeyrie.boot.config;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.DaemonThreads;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Watches the configuration folders of a {@link ValkeyrieConfigReader} and runs an action
 * once a burst of changes has settled: each change (or resync) restarts a quiet period of
 * {@code delay}, and the action runs when it passes. The first state of the watch is what
 * the application started with, so it does not count as a change, unless the application
 * started without it ({@code stale}: an optional import of a store that was unreachable).
 * <p>
 * The action runs on a thread of this watcher, never on the store's delivery threads.
 * Thread-safe.
 */
public class ValkeyrieConfigWatcher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ValkeyrieConfigWatcher.class);

	private final Store store;

	private final ValkeyrieConfigReader reader;

	private final Duration delay;

	private final Runnable action;

	private final boolean stale;

	private final Object monitor = new Object();

	private @Nullable Watch watch;

	/** Only touched by the watch's own deliveries, one at a time. */
	private boolean sawFirstState;

	private @Nullable ScheduledExecutorService scheduler;

	private @Nullable ScheduledFuture<?> pending;

	/**
	 * Create a watcher.
	 * @param store the store
	 * @param reader the folders to watch
	 * @param delay the quiet period after the last change
	 * @param action what to run once changes have settled
	 */
	public ValkeyrieConfigWatcher(Store store, ValkeyrieConfigReader reader, Duration delay, Runnable action) {
		this(store, reader, delay, action, false);
	}

	/**
	 * Create a watcher.
	 * @param store the store
	 * @param reader the folders to watch
	 * @param delay the quiet period after the last change
	 * @param action what to run once changes have settled
	 * @param stale whether the application started without reading the folders, so that
	 * the watch's first state is a change too
	 */
	public ValkeyrieConfigWatcher(Store store, ValkeyrieConfigReader reader, Duration delay, Runnable action,
			boolean stale) {
		this.stale = stale;
		this.store = Objects.requireNonNull(store, "'store' must not be null");
		this.reader = Objects.requireNonNull(reader, "'reader' must not be null");
		this.delay = Objects.requireNonNull(delay, "'delay' must not be null");
		this.action = Objects.requireNonNull(action, "'action' must not be null");
	}

	@Override
	public void start() {
		synchronized (this.monitor) {
			if (this.watch != null) {
				return;
			}
			ScheduledExecutorService scheduler = Executors
				.newSingleThreadScheduledExecutor(DaemonThreads.named("valkeyrie-config-watch"));
			this.scheduler = scheduler;
			// One watch on the common root; events outside the read folders are ignored.
			String root = commonRoot();
			this.watch = this.store.watchTree(root, WatchOptions.DEFAULTS.withExecutor(scheduler), this::onEvent);
		}
	}

	private String commonRoot() {
		String first = this.reader.getContexts().get(0);
		int slash = first.lastIndexOf('/');
		return (slash < 0) ? "" : first.substring(0, slash);
	}

	private void onEvent(WatchEvent event) {
		if (event instanceof WatchEvent.Snapshot snapshot) {
			if (snapshot.isResync()) {
				changed("resync: " + snapshot.reason());
			}
			else if (this.stale && !this.sawFirstState) {
				changed("first state of configuration the application started without");
			}
			this.sawFirstState = true;
		}
		else if (event instanceof WatchEvent.Put put && this.reader.isRead(put.key())) {
			changed(put.key());
		}
		else if (event instanceof WatchEvent.Delete delete && this.reader.isRead(delete.key())) {
			changed(delete.key());
		}
	}

	private void changed(String what) {
		synchronized (this.monitor) {
			if (this.scheduler == null) {
				return;
			}
			if (this.pending != null) {
				this.pending.cancel(false);
			}
			logger.debug("Configuration changed (" + what + "); refreshing after " + BackendOptions.format(this.delay) + " of quiet");
			this.pending = this.scheduler.schedule(this::run, this.delay.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private void run() {
		try {
			this.action.run();
		}
		catch (RuntimeException ex) {
			logger.warn("Refreshing the configuration from " + this.reader.describe() + " failed", ex);
		}
	}

	@Override
	public void stop() {
		synchronized (this.monitor) {
			if (this.watch != null) {
				this.watch.close();
				this.watch = null;
			}
			if (this.scheduler != null) {
				this.scheduler.shutdownNow();
				this.scheduler = null;
				this.pending = null;
			}
		}
	}

	@Override
	public boolean isRunning() {
		synchronized (this.monitor) {
			return this.watch != null;
		}
	}

}
