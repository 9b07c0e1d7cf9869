package io.valkeyrie.store.spi;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;

import org.jspecify.annotations.Nullable;

/**
 * Opens stores of one backend; found through {@link java.util.ServiceLoader}. A provider
 * must load without its client library on the classpath, so it may not mention the
 * library's types in its own signature.
 */
public interface StoreProvider {

	/** The backend name, lower case ({@code etcd}). */
	String name();

	/**
	 * The Maven dependency to add when the backend's client library is missing, or
	 * {@code null} when everything it needs is on the classpath.
	 */
	@Nullable String missingDependency();

	/**
	 * Open a store.
	 * @param config the configuration; its backend is {@link #name()}
	 * @return the open store
	 */
	Store open(StoreConfig config);

}
