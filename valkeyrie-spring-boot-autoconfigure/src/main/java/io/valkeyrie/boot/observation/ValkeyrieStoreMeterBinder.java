package io.valkeyrie.boot.observation;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.valkeyrie.store.Store;

/**
 * Gauges of a store that is an {@link ObservedStore} (other stores get none): {@code valkeyrie.watches.active} (watches opened
 * through it that are still running) and {@code valkeyrie.locks.held} (locks acquired
 * through it that are held), tagged with the backend.
 */
public class ValkeyrieStoreMeterBinder implements MeterBinder {

	private final Store store;

	/**
	 * Create a binder.
	 * @param store the store
	 */
	public ValkeyrieStoreMeterBinder(Store store) {
		this.store = store;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		if (!(this.store instanceof ObservedStore observed)) {
			return;
		}
		Gauge.builder("valkeyrie.watches.active", observed, ObservedStore::activeWatches)
			.description("Watches of the store that are running")
			.tag("backend", observed.backend())
			.register(registry);
		Gauge.builder("valkeyrie.locks.held", observed, ObservedStore::heldLocks)
			.description("Locks of the store that are held")
			.tag("backend", observed.backend())
			.register(registry);
	}

}
