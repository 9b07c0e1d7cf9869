package io.valkeyrie.boot.discovery;

import java.util.Objects;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;

/**
 * A {@link ReactiveDiscoveryClient} served from a {@link ValkeyrieServiceCatalog}: lookups
 * are in memory and never block; {@link #reactiveProbe()} runs its request to the store on
 * the bounded-elastic scheduler.
 * <p>
 * Thread-safe.
 */
public class ValkeyrieReactiveDiscoveryClient implements ReactiveDiscoveryClient {

	private final ValkeyrieServiceCatalog catalog;

	private final int order;

	/**
	 * Create a client.
	 * @param catalog the watched view
	 * @param order the order among several discovery clients
	 */
	public ValkeyrieReactiveDiscoveryClient(ValkeyrieServiceCatalog catalog, int order) {
		this.catalog = Objects.requireNonNull(catalog, "'catalog' must not be null");
		this.order = order;
	}

	@Override
	public String description() {
		return "valkeyrie reactive discovery client (" + this.catalog.getStore().backend() + ")";
	}

	@Override
	public Flux<ServiceInstance> getInstances(String serviceId) {
		return Flux.defer(() -> Flux.fromIterable(this.catalog.getInstances(serviceId)));
	}

	@Override
	public Flux<String> getServices() {
		return Flux.defer(() -> Flux.fromIterable(this.catalog.getServices()));
	}

	@Override
	public Mono<Void> reactiveProbe() {
		return Mono.<Void>fromRunnable(() -> this.catalog.getStore().serverInfo())
			.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public int getOrder() {
		return this.order;
	}

}
