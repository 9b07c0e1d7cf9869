package io.valkeyrie.boot.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.DaemonThreads;
import io.valkeyrie.store.internal.DeferredStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * An in-memory view of every registered instance, kept current by one {@code watchTree} on
 * the registry's root: reads never go to the server. After each change it publishes a
 * {@link HeartbeatEvent} whose value grows with every change, so that consumers such as
 * the Spring Cloud Gateway discovery locator refresh.
 * <p>
 * {@link #start()} waits (up to the given bound) for the first state, so a started view is
 * complete; if the server is unreachable it starts empty and fills once the watch connects.
 * Keys below the root that are not instance records are ignored (a malformed record is
 * logged once per write).
 * <p>
 * Thread-safe; reads are one volatile read and a map lookup.
 */
public class ValkeyrieServiceCatalog implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ValkeyrieServiceCatalog.class);

	private final Store store;

	private final InstanceCodec codec;

	private final @Nullable ApplicationEventPublisher publisher;

	private final Duration initialWait;

	private final AtomicLong generation = new AtomicLong();

	private final Object monitor = new Object();

	private volatile Services services = Services.EMPTY;

	private @Nullable Watch watch;

	private @Nullable ExecutorService executor;

	/**
	 * Create a view.
	 * @param store the store
	 * @param root the directory below which instances live
	 * @param publisher publishes a {@link HeartbeatEvent} after each change, or {@code null}
	 * @param initialWait how long {@link #start()} waits for the first state
	 */
	public ValkeyrieServiceCatalog(Store store, String root, @Nullable ApplicationEventPublisher publisher,
			Duration initialWait) {
		this.store = Objects.requireNonNull(store, "'store' must not be null");
		this.codec = new InstanceCodec(Objects.requireNonNull(root, "'root' must not be null"));
		this.publisher = publisher;
		this.initialWait = Objects.requireNonNull(initialWait, "'initialWait' must not be null");
	}

	/** The names of the services with at least one registered instance, sorted. */
	public List<String> getServices() {
		return this.services.names;
	}

	/**
	 * The instances of a service that are {@code UP}, sorted by instance id.
	 * @param serviceId the service
	 * @return the instances; empty for an unknown service
	 */
	public List<ValkeyrieServiceInstance> getInstances(String serviceId) {
		return this.services.up.getOrDefault(serviceId, List.of());
	}

	/**
	 * Every registered instance of a service, whatever its status, sorted by instance id.
	 * @param serviceId the service
	 * @return the instances; empty for an unknown service
	 */
	public List<ValkeyrieServiceInstance> getAllInstances(String serviceId) {
		NavigableMap<String, ValkeyrieServiceInstance> all = this.services.all.get(serviceId);
		return (all != null) ? List.copyOf(all.values()) : List.of();
	}

	/** A number that grows with every change the view has seen. */
	public long getGeneration() {
		return this.generation.get();
	}

	/** Whether the watch behind the view is connected and delivering. */
	public boolean isWatching() {
		Watch current;
		synchronized (this.monitor) {
			current = this.watch;
		}
		return current != null && current.isActive();
	}

	/** The store behind the view. */
	public Store getStore() {
		return this.store;
	}

	@Override
	public void start() {
		CountDownLatch first = new CountDownLatch(1);
		synchronized (this.monitor) {
			if (this.watch != null) {
				return;
			}
			// Events are published on a thread of our own, never on the store's shared delivery threads.
			ExecutorService own = Executors.newSingleThreadExecutor(DaemonThreads.named("valkeyrie-discovery"));
			this.executor = own;
			this.watch = this.store.watchTree(this.codec.root(), WatchOptions.DEFAULTS.withExecutor(own), (event) -> {
				onEvent(event);
				first.countDown();
			});
		}
		if (DeferredStore.isConnecting(this.store)) {
			// Nothing to wait for: the watch attaches when the store connects, with the state then.
			logger.info("The " + this.store.backend() + " store is not connected yet; discovery starts empty and fills "
					+ "when it connects");
			return;
		}
		try {
			if (!first.await(this.initialWait.toMillis(), TimeUnit.MILLISECONDS)) {
				logger.warn("No state of '" + this.codec.root() + "' from the " + this.store.backend() + " store within "
						+ BackendOptions.format(this.initialWait) + "; discovery starts empty and fills when the watch connects");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void stop() {
		synchronized (this.monitor) {
			if (this.watch != null) {
				this.watch.close();
				this.watch = null;
			}
			if (this.executor != null) {
				this.executor.shutdown();
				this.executor = null;
			}
		}
	}

	@Override
	public boolean isRunning() {
		synchronized (this.monitor) {
			return this.watch != null;
		}
	}

	/** Starts before the web server, so the view is ready when requests arrive. */
	@Override
	public int getPhase() {
		return 0;
	}

	private void onEvent(WatchEvent event) {
		Services before = this.services;
		Services after;
		if (event instanceof WatchEvent.Snapshot snapshot) {
			after = Services.of(decodeAll(snapshot.current()));
		}
		else if (event instanceof WatchEvent.Put put) {
			ValkeyrieServiceInstance instance = decode(put.key(), put.pair().value());
			if (instance == null) {
				return;
			}
			after = before.with(instance);
		}
		else if (event instanceof WatchEvent.Delete delete) {
			List<String> ids = this.codec.ids(delete.key());
			if (ids == null) {
				return;
			}
			after = before.without(ids.get(0), ids.get(1));
		}
		else {
			return;
		}
		if (after == before) {
			return;
		}
		this.services = after;
		long value = this.generation.incrementAndGet();
		if (this.publisher != null) {
			this.publisher.publishEvent(new HeartbeatEvent(this, value));
		}
	}

	private List<ValkeyrieServiceInstance> decodeAll(Map<String, KVPair> pairs) {
		List<ValkeyrieServiceInstance> instances = new ArrayList<>(pairs.size());
		pairs.forEach((key, pair) -> {
			ValkeyrieServiceInstance instance = decode(key, pair.value());
			if (instance != null) {
				instances.add(instance);
			}
		});
		return instances;
	}

	private @Nullable ValkeyrieServiceInstance decode(String key, byte[] value) {
		try {
			return this.codec.decode(key, value);
		}
		catch (IllegalArgumentException ex) {
			logger.warn("Ignoring '" + key + "': " + ex.getMessage());
			return null;
		}
	}

	/** One immutable state of the view; each change copies only the service it touches. */
	private static final class Services {

		static final Services EMPTY = new Services(Map.of());

		final Map<String, NavigableMap<String, ValkeyrieServiceInstance>> all;

		final Map<String, List<ValkeyrieServiceInstance>> up;

		final List<String> names;

		private Services(Map<String, NavigableMap<String, ValkeyrieServiceInstance>> all) {
			this.all = all;
			Map<String, List<ValkeyrieServiceInstance>> up = new HashMap<>();
			all.forEach((service, instances) -> up.put(service,
					instances.values().stream().filter(ValkeyrieServiceInstance::isUp).toList()));
			this.up = up;
			this.names = all.keySet().stream().sorted().toList();
		}

		static Services of(List<ValkeyrieServiceInstance> instances) {
			Map<String, NavigableMap<String, ValkeyrieServiceInstance>> all = new HashMap<>();
			for (ValkeyrieServiceInstance instance : instances) {
				all.computeIfAbsent(instance.getServiceId(), (service) -> new TreeMap<>())
					.put(instance.getInstanceId(), instance);
			}
			all.replaceAll((service, byId) -> Collections.unmodifiableNavigableMap(byId));
			return new Services(all);
		}

		Services with(ValkeyrieServiceInstance instance) {
			NavigableMap<String, ValkeyrieServiceInstance> old = this.all.get(instance.getServiceId());
			if (old != null && instance.equals(old.get(instance.getInstanceId()))) {
				// A keep-alive rewrite of the same record: nothing changed for readers.
				return this;
			}
			TreeMap<String, ValkeyrieServiceInstance> byId = (old != null) ? new TreeMap<>(old) : new TreeMap<>();
			byId.put(instance.getInstanceId(), instance);
			return replace(instance.getServiceId(), byId);
		}

		Services without(String serviceId, String instanceId) {
			NavigableMap<String, ValkeyrieServiceInstance> old = this.all.get(serviceId);
			if (old == null || !old.containsKey(instanceId)) {
				return this;
			}
			TreeMap<String, ValkeyrieServiceInstance> byId = new TreeMap<>(old);
			byId.remove(instanceId);
			return replace(serviceId, byId);
		}

		private Services replace(String serviceId, TreeMap<String, ValkeyrieServiceInstance> byId) {
			Map<String, NavigableMap<String, ValkeyrieServiceInstance>> all = new HashMap<>(this.all);
			if (byId.isEmpty()) {
				all.remove(serviceId);
			}
			else {
				all.put(serviceId, Collections.unmodifiableNavigableMap(byId));
			}
			return new Services(all);
		}

	}

}
