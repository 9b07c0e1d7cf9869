package io.valkeyrie.boot.event;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * Watches keys and directories of a {@link Store} and publishes their changes as
 * {@link ValkeyrieKeyChangedEvent}s and {@link ValkeyrieResyncEvent}s. Watches registered
 * before the context starts open when it starts; later ones open at once. All close when
 * the context stops.
 * <p>
 * <b>Threads.</b> Listeners run on this registrar's own threads, never on the store's
 * shared watch-delivery threads: each watch hands its events to a cached thread pool
 * through {@link WatchOptions#withExecutor}, and the store still delivers the events of
 * one watch one at a time and in order. A slow {@code @EventListener} therefore delays
 * only the events of the watch it is handling; other watches and the store's change feed
 * go on. A listener that throws is logged by the store and the watch continues.
 * <p>
 * Thread-safe.
 */
public class ValkeyrieWatchRegistrar implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ValkeyrieWatchRegistrar.class);

	private final Store store;

	private final ApplicationEventPublisher publisher;

	private final List<Registration> registrations = new ArrayList<>();

	private final Object monitor = new Object();

	private ExecutorService executor;

	private boolean running;

	/**
	 * Create a registrar.
	 * @param store the store to watch
	 * @param publisher publishes the events
	 */
	public ValkeyrieWatchRegistrar(Store store, ApplicationEventPublisher publisher) {
		Assert.notNull(store, "'store' must not be null");
		Assert.notNull(publisher, "'publisher' must not be null");
		this.store = store;
		this.publisher = publisher;
		this.executor = newExecutor();
	}

	/**
	 * Publish the changes of one key.
	 * @param key the key
	 */
	public void watchKey(String key) {
		register(new Registration(key, false));
	}

	/**
	 * Publish the changes of every key below a directory, at any depth.
	 * @param dir the directory; empty or {@code /} for the whole namespace
	 */
	public void watchTree(String dir) {
		register(new Registration(dir, true));
	}

	private void register(Registration registration) {
		synchronized (this.monitor) {
			this.registrations.add(registration);
			if (this.running) {
				registration.open();
			}
		}
	}

	@Override
	public void start() {
		synchronized (this.monitor) {
			if (this.running) {
				return;
			}
			if (this.executor.isShutdown()) {
				this.executor = newExecutor();
			}
			this.running = true;
			this.registrations.forEach(Registration::open);
		}
	}

	@Override
	public void stop() {
		synchronized (this.monitor) {
			if (!this.running) {
				return;
			}
			this.running = false;
			this.registrations.forEach(Registration::close);
			this.executor.shutdown();
		}
	}

	@Override
	public boolean isRunning() {
		synchronized (this.monitor) {
			return this.running;
		}
	}

	/** The number of open watches. */
	public int activeWatches() {
		synchronized (this.monitor) {
			return (int) this.registrations.stream().filter(Registration::isOpen).count();
		}
	}

	private void publish(Registration registration, WatchEvent event) {
		if (event instanceof WatchEvent.Snapshot snapshot) {
			this.publisher.publishEvent(new ValkeyrieResyncEvent(this, event.watchedKey(), registration.tree,
					snapshot.pairs(), !snapshot.isResync(), snapshot.reason()));
		}
		else if (event instanceof WatchEvent.Put put) {
			this.publisher.publishEvent(new ValkeyrieKeyChangedEvent(this, event.watchedKey(), registration.tree,
					ValkeyrieKeyChangedEvent.Type.PUT, put.key(), put.pair().value(), put.lastIndex()));
		}
		else if (event instanceof WatchEvent.Delete delete) {
			this.publisher.publishEvent(new ValkeyrieKeyChangedEvent(this, event.watchedKey(), registration.tree,
					ValkeyrieKeyChangedEvent.Type.DELETE, delete.key(), new byte[0], delete.lastIndex()));
		}
	}

	private static ExecutorService newExecutor() {
		AtomicInteger count = new AtomicInteger();
		ThreadFactory threads = (runnable) -> {
			Thread thread = new Thread(runnable, "valkeyrie-event-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
		return Executors.newCachedThreadPool(threads);
	}

	private final class Registration {

		private final String key;

		private final boolean tree;

		private @Nullable Watch watch;

		Registration(String key, boolean tree) {
			this.key = key;
			this.tree = tree;
		}

		void open() {
			WatchOptions options = WatchOptions.DEFAULTS.withExecutor(ValkeyrieWatchRegistrar.this.executor);
			this.watch = this.tree
					? ValkeyrieWatchRegistrar.this.store.watchTree(this.key, options, (event) -> publish(this, event))
					: ValkeyrieWatchRegistrar.this.store.watch(this.key, options, (event) -> publish(this, event));
			logger.debug("Publishing changes of " + (this.tree ? "tree " : "key ") + this.key);
		}

		void close() {
			if (this.watch != null) {
				this.watch.close();
				this.watch = null;
			}
		}

		boolean isOpen() {
			return this.watch != null && this.watch.isActive();
		}

	}

}
