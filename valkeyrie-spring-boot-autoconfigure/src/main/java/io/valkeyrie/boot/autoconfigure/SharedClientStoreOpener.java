package io.valkeyrie.boot.autoconfigure;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;

/**
 * Opens the store of one backend on a client the application already has as a bean (a
 * {@code CuratorFramework}, a jetcd {@code Client}, a {@code RedisConnectionFactory}). The
 * store uses that client but never closes it: the application owns it. The client's own
 * connection settings apply; those of the configuration are not used.
 */
final class SharedClientStoreOpener<C> implements ValkeyrieStoreFactory.StoreOpener {

	private final String backend;

	private final String beanType;

	private final C client;

	private final BiFunction<StoreConfig, C, Store> open;

	private final Supplier<List<String>> addresses;

	SharedClientStoreOpener(String backend, Class<?> beanType, C client, BiFunction<StoreConfig, C, Store> open,
			Supplier<List<String>> addresses) {
		this.backend = backend;
		this.beanType = beanType.getSimpleName();
		this.client = client;
		this.open = open;
		this.addresses = addresses;
	}

	/** An opener that applies to no configuration: there is no client bean to share. */
	static ValkeyrieStoreFactory.StoreOpener none() {
		return new ValkeyrieStoreFactory.StoreOpener() {

			@Override
			public boolean appliesTo(StoreConfig config) {
				return false;
			}

			@Override
			public Store open(StoreConfig config) {
				throw new IllegalStateException("No client bean to open " + config.backend() + " on");
			}

		};
	}

	@Override
	public boolean appliesTo(StoreConfig config) {
		return this.backend.equals(config.backend());
	}

	@Override
	public Store open(StoreConfig config) {
		return this.open.apply(config, this.client);
	}

	@Override
	public StoreConfig effective(StoreConfig config) {
		return config.toBuilder().endpoints(this.addresses.get()).build();
	}

	@Override
	public String settings(StoreConfig config) {
		return "the " + this.beanType + " bean";
	}

	@Override
	public String toString() {
		return "the application's " + this.beanType + " bean";
	}

}
