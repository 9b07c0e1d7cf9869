package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchListener;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.WriteOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store whose server could not be reached when it was opened: it opens the backend's
 * store on a thread of its own, retrying with {@link ConnectBackoff bounded exponential
 * back-off}, and then passes every call to it. The same for every backend.
 * <p>
 * Until then calls fail with {@link StoreUnavailableException} naming the backend, the
 * endpoints and the last failure (invalid keys still fail first); {@link #serverInfo()}
 * too, so a health check says DOWN with the reason. Watches can be registered before: they
 * attach once the store opens, and their first event is then a {@link
 * io.valkeyrie.store.WatchEvent.Snapshot} marked {@linkplain
 * io.valkeyrie.store.WatchEvent.Snapshot#isResync() resync}. A lock waits for the
 * connection within its own timeout ({@link StoreLock#lock()} as long as it takes). What the
 * server decides ({@link #minimumTtl()}) is only known once connected.
 * <p>
 * {@link #close()} works in every state: it wakes lock waiters, waits for a connection
 * attempt in progress (bounded by the connect and request timeouts), ends the connecting
 * thread and closes the backend's store if it was opened. Thread-safe.
 */
public final class DeferredStore implements Store {

	private static final Logger logger = LoggerFactory.getLogger(DeferredStore.class);

	private final StoreConfig config;

	private final Function<StoreConfig, Store> opener;

	private final ConnectBackoff backoff;

	private final String description;

	private final long createdAt = System.nanoTime();

	/** Completes with the backend's store once it is open, exceptionally when this closes first. */
	private final CompletableFuture<Store> opened = new CompletableFuture<>();

	private final Object monitor = new Object();

	/** Watches registered before the store opened; guarded by {@link #monitor}. */
	private final List<DeferredWatch> pendingWatches = new ArrayList<>();

	/** What runs once the store opened; guarded by {@link #monitor}. */
	private final List<Runnable> whenConnected = new ArrayList<>();

	private final Thread connector;

	private volatile @Nullable Store delegate;

	private volatile boolean closed;

	private volatile StoreException lastFailure;

	private int attempts = 1;

	private DeferredStore(StoreConfig config, Function<StoreConfig, Store> opener, ConnectBackoff backoff,
			StoreException firstFailure) {
		this.config = config;
		this.opener = opener;
		this.backoff = backoff;
		this.lastFailure = firstFailure;
		this.description = config.backend() + " store (namespace '" + config.namespace() + "', endpoints "
				+ describe(Secrets.endpoints(config.endpoints())) + ")";
		this.connector = new Thread(this::connect, "valkeyrie-connect-" + config.backend());
		this.connector.setDaemon(true);
	}

	/**
	 * Open a store, or if its server cannot be reached, a store that connects in the
	 * background.
	 * @param config the configuration
	 * @param opener opens the backend's store ({@code Stores::open})
	 * @param backoff how often to try
	 * @return the backend's store if it opened at once, otherwise a {@code DeferredStore}
	 * @throws StoreException any failure other than {@link StoreUnavailableException} (a
	 * refused configuration or credentials are not an outage)
	 */
	public static Store open(StoreConfig config, Function<StoreConfig, Store> opener, ConnectBackoff backoff) {
		try {
			return opener.apply(config);
		}
		catch (StoreUnavailableException ex) {
			return connectInBackground(config, opener, backoff, ex);
		}
	}

	/**
	 * A store that connects in the background after a first attempt that failed.
	 * @param config the configuration
	 * @param opener opens the backend's store
	 * @param backoff how often to try
	 * @param firstFailure why the first attempt failed; logged once as a WARN
	 * @return the store, connecting
	 */
	public static DeferredStore connectInBackground(StoreConfig config, Function<StoreConfig, Store> opener,
			ConnectBackoff backoff, StoreException firstFailure) {
		DeferredStore store = new DeferredStore(config, opener, backoff, firstFailure);
		logger.warn("The {} cannot reach its servers ({}); it connects in the background and calls fail until then",
				store.description, reason(firstFailure));
		store.connector.start();
		return store;
	}

	/**
	 * The {@code DeferredStore} behind a store (seen through {@link DelegatingStore}s) if it
	 * is still connecting in the background: what the server decides is not known yet and
	 * calls fail.
	 * @param store any store
	 * @return the store that is connecting, or {@code null} if {@code store} is connected,
	 * closed or not deferred
	 */
	public static @Nullable DeferredStore connecting(Store store) {
		Store candidate = store;
		// Bounded: a chain of wrappers is short, and a cycle must not hang the caller.
		for (int depth = 0; depth < 16 && candidate instanceof DelegatingStore delegating; depth++) {
			candidate = delegating.getDelegate();
		}
		return (candidate instanceof DeferredStore deferred && !deferred.isConnected() && !deferred.isClosed())
				? deferred : null;
	}

	/**
	 * Whether a store is still connecting in the background.
	 * @param store any store
	 * @return whether {@link #connecting(Store)} finds one
	 */
	public static boolean isConnecting(Store store) {
		return connecting(store) != null;
	}

	/** Whether the backend's store is open: the server answered once. */
	public boolean isConnected() {
		return this.delegate != null;
	}

	/**
	 * Run an action once the store is connected: at once on the calling thread if it is
	 * already, otherwise on the connecting thread right after the pending watches attached.
	 * Never if the store closes first. An action that fails is logged; it does not stop the
	 * others.
	 * @param action what to run; it should be short (one request), later ones wait for it
	 */
	public void whenConnected(Runnable action) {
		synchronized (this.monitor) {
			if (this.closed) {
				return;
			}
			if (this.delegate == null) {
				this.whenConnected.add(action);
				return;
			}
		}
		action.run();
	}

	private void connect() {
		Duration wait = this.backoff.initial();
		while (true) {
			if (!sleep(wait)) {
				return;
			}
			Store store;
			try {
				store = this.opener.apply(this.config);
			}
			catch (RuntimeException ex) {
				if (this.closed) {
					return;
				}
				failed(ex);
				wait = this.backoff.next(wait);
				continue;
			}
			attach(store);
			return;
		}
	}

	/** Waits, or less if the store closes; {@code false} when it closed. */
	private boolean sleep(Duration wait) {
		long deadline = System.nanoTime() + wait.toNanos();
		synchronized (this.monitor) {
			while (!this.closed) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return true;
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this.monitor, left);
				}
				catch (InterruptedException ex) {
					// Only close() ends this thread; an interrupt from elsewhere is not a reason to stop connecting.
				}
			}
			return false;
		}
	}

	private void failed(RuntimeException failure) {
		this.attempts++;
		StoreException previous = this.lastFailure;
		this.lastFailure = (failure instanceof StoreException store) ? store
				: new StoreUnavailableException(this.config.backend(), String.valueOf(failure.getMessage()), failure);
		if (!(failure instanceof StoreUnavailableException)
				&& !String.valueOf(failure.getMessage()).equals(String.valueOf(previous.getMessage()))) {
			// Not an outage (credentials, configuration): said once per new reason, the server may still be set up right.
			logger.warn("The {} could not connect: {}; retrying every {}", this.description, failure.getMessage(),
					BackendOptions.format(this.backoff.max()));
		}
		else {
			logger.debug("The {} could not connect (attempt {}): {}", this.description, this.attempts, reason(failure));
		}
	}

	private void attach(Store store) {
		List<DeferredWatch> watches;
		List<Runnable> actions;
		synchronized (this.monitor) {
			if (this.closed) {
				watches = null;
				actions = List.of();
			}
			else {
				this.delegate = store;
				watches = List.copyOf(this.pendingWatches);
				this.pendingWatches.clear();
				actions = List.copyOf(this.whenConnected);
				this.whenConnected.clear();
			}
		}
		if (watches == null) {
			store.close();
			return;
		}
		logger.info("The {} connected after {} ({} attempts)", this.description,
				BackendOptions.format(Reachability.rounded(Duration.ofNanos(System.nanoTime() - this.createdAt))),
				this.attempts);
		this.opened.complete(store);
		for (DeferredWatch watch : watches) {
			watch.attach(store);
		}
		for (Runnable action : actions) {
			try {
				action.run();
			}
			catch (RuntimeException ex) {
				logger.error("An action waiting for the {} to connect failed", this.description, ex);
			}
		}
	}

	/** The backend's store, or the reason there is none. */
	private Store store() {
		Store store = this.delegate;
		if (store != null) {
			return store;
		}
		throw notConnected();
	}

	private StoreException notConnected() {
		if (this.closed) {
			return new StoreClosedException("The " + this.description + " is closed");
		}
		StoreException failure = this.lastFailure;
		return new StoreUnavailableException(this.config.backend(),
				"not connected to " + describe(endpoints()) + " yet, still trying after "
						+ BackendOptions.format(Reachability.rounded(Duration.ofNanos(System.nanoTime() - this.createdAt)))
						+ " (" + reason(failure) + ")",
				failure);
	}

	/** Waits for the backend's store at most {@code timeout} ({@code null}: as long as it takes). */
	Store awaitStore(@Nullable Duration timeout) throws InterruptedException {
		Store store = this.delegate;
		if (store != null) {
			return store;
		}
		try {
			return (timeout != null) ? this.opened.get(timeout.toNanos(), TimeUnit.NANOSECONDS) : this.opened.get();
		}
		catch (ExecutionException ex) {
			throw notConnected();
		}
		catch (TimeoutException ex) {
			throw notConnected();
		}
	}

	@Override
	public String backend() {
		return this.config.backend();
	}

	@Override
	public String namespace() {
		return this.config.namespace();
	}

	/**
	 * The backend's minimum TTL; some backends learn it from the server.
	 * @throws StoreUnavailableException before the store connected
	 */
	@Override
	public Duration minimumTtl() {
		return store().minimumTtl();
	}

	@Override
	public int maxValueSize() {
		Store store = this.delegate;
		return (store != null) ? store.maxValueSize() : this.config.maxValueSize();
	}

	@Override
	public List<String> endpoints() {
		Store store = this.delegate;
		return (store != null) ? store.endpoints() : Secrets.endpoints(this.config.endpoints());
	}

	@Override
	public Map<String, Object> serverInfo() {
		return store().serverInfo();
	}

	@Override
	public void put(String key, byte @Nullable [] value, WriteOptions options) {
		Keys.key(key);
		store().put(key, value, options);
	}

	@Override
	public KVPair get(String key, ReadOptions options) {
		Keys.key(key);
		return store().get(key, options);
	}

	@Override
	public Optional<KVPair> find(String key) {
		Keys.key(key);
		return store().find(key);
	}

	@Override
	public boolean exists(String key, ReadOptions options) {
		Keys.key(key);
		return store().exists(key, options);
	}

	@Override
	public void delete(String key) {
		Keys.key(key);
		store().delete(key);
	}

	@Override
	public List<KVPair> list(String dir, ReadOptions options) {
		Keys.dir(dir);
		return store().list(dir, options);
	}

	@Override
	public void deleteTree(String dir) {
		Keys.dir(dir);
		store().deleteTree(dir);
	}

	@Override
	public KVPair atomicPut(String key, byte @Nullable [] value, @Nullable KVPair previous, WriteOptions options) {
		Keys.key(key);
		return store().atomicPut(key, value, previous, options);
	}

	@Override
	public void atomicDelete(String key, @Nullable KVPair previous) {
		Keys.key(key);
		store().atomicDelete(key, previous);
	}

	@Override
	public Watch watch(String key, WatchOptions options, WatchListener listener) {
		return watch(Keys.key(key), false, options, listener);
	}

	@Override
	public Watch watchTree(String dir, WatchOptions options, WatchListener listener) {
		return watch(Keys.dir(dir), true, options, listener);
	}

	private Watch watch(String key, boolean tree, WatchOptions options, WatchListener listener) {
		synchronized (this.monitor) {
			Store store = this.delegate;
			if (store == null) {
				if (this.closed) {
					throw notConnected();
				}
				DeferredWatch watch = new DeferredWatch(this, key, tree, options, listener);
				this.pendingWatches.add(watch);
				return watch;
			}
		}
		Store store = store();
		return tree ? store.watchTree(key, options, listener) : store.watch(key, options, listener);
	}

	/** A watch closed before the store connected is no longer attached. */
	void forget(DeferredWatch watch) {
		synchronized (this.monitor) {
			this.pendingWatches.remove(watch);
		}
	}

	@Override
	public StoreLock newLock(String key, LockOptions options) {
		String normal = Keys.key(key);
		Store store = this.delegate;
		return (store != null) ? store.newLock(key, options) : new DeferredLock(this, normal, options);
	}

	@Override
	public boolean isClosed() {
		return this.closed;
	}

	@Override
	public void close() {
		List<DeferredWatch> watches;
		synchronized (this.monitor) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			watches = List.copyOf(this.pendingWatches);
			this.pendingWatches.clear();
			this.whenConnected.clear();
			this.monitor.notifyAll();
		}
		this.opened.completeExceptionally(new StoreClosedException("The " + this.description + " is closed"));
		watches.forEach(DeferredWatch::close);
		if (Thread.currentThread() != this.connector) {
			joinConnector();
		}
		// After the connector ended nothing sets the delegate any more: an open that finished
		// after the close was closed by the connector itself.
		Store store = this.delegate;
		if (store != null) {
			store.close();
		}
	}

	private void joinConnector() {
		// An attempt in progress is bounded by the backend's connect and request timeouts.
		Duration bound = this.config.connectTimeout().plus(this.config.requestTimeout()).plusSeconds(5);
		boolean interrupted = false;
		long deadline = System.nanoTime() + bound.toNanos();
		while (this.connector.isAlive()) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				logger.warn("The {} closed while its connection attempt had not ended after {}", this.description,
						BackendOptions.format(bound));
				break;
			}
			try {
				this.connector.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return "DeferredStore[" + this.description + ", " + (isConnected() ? "connected" : "connecting") + "]";
	}

	private static String describe(List<String> endpoints) {
		return endpoints.isEmpty() ? "the backend's default address" : endpoints.toString();
	}

	/** An exception's message without the backend prefix {@link StoreUnavailableException} adds. */
	private static String reason(Throwable failure) {
		String message = String.valueOf(failure.getMessage());
		if (failure instanceof StoreUnavailableException unavailable) {
			String prefix = unavailable.backend() + " store unavailable: ";
			return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
		}
		return message;
	}

}
