package io.valkeyrie.store;

import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import io.valkeyrie.store.internal.ConnectBackoff;
import io.valkeyrie.store.internal.DeferredStore;
import io.valkeyrie.store.spi.StoreProvider;

/**
 * Opens a {@link Store} for the backend a {@link StoreConfig} names, through the
 * {@link StoreProvider}s on the classpath.
 * <pre>{@code
 * try (Store store = Stores.open(StoreConfig.builder("etcd").endpoints("http://127.0.0.1:2379").build())) {
 *     store.put("config/feature", "on");
 * }
 * }</pre>
 */
public final class Stores {

	private Stores() {
	}

	/**
	 * Open a store.
	 * @param config the configuration
	 * @return the open store
	 * @throws StoreConfigurationException if the backend is unknown or its client library is
	 * missing (the message says what to add)
	 * @throws StoreUnavailableException if the backend cannot be reached
	 */
	public static Store open(StoreConfig config) {
		return provider(config.backend()).open(config);
	}

	/**
	 * Open a store that does not need its server at startup: the first attempt is made at
	 * once, and when the server cannot be reached the store is returned anyway and connects
	 * in the background, first after {@code initialRetry}, then twice as long after each
	 * failure up to {@code maxRetry}.
	 * Until it connects every call fails with {@link StoreUnavailableException} (naming the
	 * backend, its endpoints and the last failure); watches can be registered and start,
	 * with a resync snapshot, once it connects; a lock attempt waits for the connection
	 * within its timeout. Other failures (an unknown backend, a refused configuration or
	 * credentials) are thrown as by {@link #open(StoreConfig)}.
	 * @param config the configuration
	 * @param initialRetry the wait before the first retry
	 * @param maxRetry the longest wait between two attempts
	 * @return the open or connecting store
	 */
	public static Store openInBackground(StoreConfig config, Duration initialRetry, Duration maxRetry) {
		return DeferredStore.open(config, Stores::open, new ConnectBackoff(initialRetry, maxRetry));
	}

	/**
	 * {@link #openInBackground(StoreConfig, Duration, Duration)} retrying after 500 ms, then
	 * doubling up to 10 s.
	 * @param config the configuration
	 * @return the open or connecting store
	 */
	public static Store openInBackground(StoreConfig config) {
		return DeferredStore.open(config, Stores::open, ConnectBackoff.DEFAULTS);
	}

	/**
	 * The provider of a backend, checked to be usable.
	 * @param backend the backend name
	 * @return the provider
	 * @throws StoreConfigurationException if the backend is unknown or its client library is missing
	 */
	public static StoreProvider provider(String backend) {
		Map<String, StoreProvider> providers = providers();
		StoreProvider provider = providers.get(backend);
		if (provider == null) {
			throw new StoreConfigurationException("Unknown valkeyrie backend '" + backend + "'; the backends on the classpath are "
					+ String.join(", ", providers.keySet()));
		}
		String missing = provider.missingDependency();
		if (missing != null) {
			throw new StoreConfigurationException("The " + backend + " backend needs its client library on the classpath; add the Maven dependency "
					+ missing);
		}
		return provider;
	}

	/** Every backend provider on the classpath by name, usable or not, sorted by name. */
	public static Map<String, StoreProvider> providers() {
		Map<String, StoreProvider> providers = new TreeMap<>();
		for (StoreProvider provider : ServiceLoader.load(StoreProvider.class, Stores.class.getClassLoader())) {
			providers.putIfAbsent(provider.name(), provider);
		}
		return providers;
	}

}
