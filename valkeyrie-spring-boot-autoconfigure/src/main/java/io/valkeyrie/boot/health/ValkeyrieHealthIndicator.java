package io.valkeyrie.boot.health;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.valkeyrie.boot.autoconfigure.Endpoints;
import io.valkeyrie.store.Store;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.util.Assert;

/**
 * {@link HealthIndicator} of a valkeyrie {@link Store}: UP when a real round trip to the
 * backend ({@link Store#serverInfo()}, which writes nothing) succeeds within the store's
 * request timeout, DOWN when it fails or the store is closed. Details: the backend, the
 * namespace, the endpoints (without credentials), the round-trip time of the probe and what
 * the server tells about itself (version, leader, ...).
 */
public class ValkeyrieHealthIndicator extends AbstractHealthIndicator {

	private final Store store;

	private final List<String> endpoints;

	/**
	 * Create an indicator that shows the endpoints the store was opened with.
	 * @param store the store
	 */
	public ValkeyrieHealthIndicator(Store store) {
		this(store, endpointsOf(store));
	}

	/**
	 * Create an indicator.
	 * @param store the store
	 * @param endpoints the endpoints to show; user information in URLs is removed
	 */
	public ValkeyrieHealthIndicator(Store store, List<String> endpoints) {
		super("valkeyrie health check failed");
		Assert.notNull(store, "'store' must not be null");
		this.store = store;
		this.endpoints = Endpoints.withoutCredentials(endpoints);
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("backend", this.store.backend())
			.withDetail("namespace", this.store.namespace())
			.withDetail("endpoints", this.endpoints);
		if (this.store.isClosed()) {
			builder.down().withDetail("error", "The store is closed");
			return;
		}
		long start = System.nanoTime();
		Map<String, Object> server = this.store.serverInfo();
		long micros = (System.nanoTime() - start) / 1000;
		builder.up().withDetail("roundTripMillis", micros / 1000.0);
		if (!server.isEmpty()) {
			builder.withDetail("server", new TreeMap<>(server));
		}
	}

	private static List<String> endpointsOf(Store store) {
		return store.endpoints();
	}

}
