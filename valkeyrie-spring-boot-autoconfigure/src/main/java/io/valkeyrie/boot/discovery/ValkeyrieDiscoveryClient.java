package io.valkeyrie.boot.discovery;

import java.util.List;
import java.util.Objects;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * A {@link DiscoveryClient} served from a {@link ValkeyrieServiceCatalog}: lookups never go
 * to the server, and only instances that are {@code UP} are returned.
 * {@link #probe()} makes one request to the store.
 * <p>
 * Thread-safe.
 */
public class ValkeyrieDiscoveryClient implements DiscoveryClient {

	private final ValkeyrieServiceCatalog catalog;

	private final int order;

	/**
	 * Create a client.
	 * @param catalog the watched view
	 * @param order the order among several discovery clients
	 */
	public ValkeyrieDiscoveryClient(ValkeyrieServiceCatalog catalog, int order) {
		this.catalog = Objects.requireNonNull(catalog, "'catalog' must not be null");
		this.order = order;
	}

	@Override
	public String description() {
		return "valkeyrie discovery client (" + this.catalog.getStore().backend() + ")";
	}

	@Override
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public List<ServiceInstance> getInstances(String serviceId) {
		// The view's lists are immutable: handing them out as List<ServiceInstance> is safe.
		return (List) this.catalog.getInstances(serviceId);
	}

	@Override
	public List<String> getServices() {
		return this.catalog.getServices();
	}

	/**
	 * Check that the store answers.
	 * @throws io.valkeyrie.store.StoreException if it does not
	 */
	@Override
	public void probe() {
		this.catalog.getStore().serverInfo();
	}

	@Override
	public int getOrder() {
		return this.order;
	}

}
