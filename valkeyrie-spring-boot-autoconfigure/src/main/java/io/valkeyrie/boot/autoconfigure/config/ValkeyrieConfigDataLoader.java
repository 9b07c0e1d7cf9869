package io.valkeyrie.boot.autoconfigure.config;

import java.util.List;
import java.util.Map;

import io.valkeyrie.boot.autoconfigure.BackendUnreachableException;
import io.valkeyrie.boot.autoconfigure.ValkeyrieBootstrapStores;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreUnavailableException;
import org.apache.commons.logging.Log;

import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.MapPropertySource;

/**
 * Loads this application's configuration from the store: opens a store from the
 * {@code valkeyrie.*} properties, reads the folders into one property source named
 * {@value #SOURCE_PREFIX}{@code <folders>}, and closes the store. With {@code optional:} an
 * unreachable backend is logged and skipped.
 */
public class ValkeyrieConfigDataLoader implements ConfigDataLoader<ValkeyrieConfigDataResource> {

	/** The start of the name of the property source this loader adds. */
	public static final String SOURCE_PREFIX = "valkeyrie-config:";

	private final Log logger;

	public ValkeyrieConfigDataLoader(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(ValkeyrieConfigDataLoader.class);
	}

	@Override
	public ConfigData load(ConfigDataLoaderContext context, ValkeyrieConfigDataResource resource) {
		Map<String, Object> properties;
		try (Store store = ValkeyrieBootstrapStores.open(resource.getStoreProperties())) {
			properties = resource.getReader().read(store);
		}
		catch (StoreUnavailableException ex) {
			String backend = resource.getStoreProperties().getBackend();
			List<String> endpoints = (ex instanceof BackendUnreachableException unreachable)
					? unreachable.getEndpoints() : List.of();
			if (resource.isOptionalImport()) {
				this.logger.warn("Skipping optional configuration " + resource + ": the " + backend
						+ " store cannot be reached (" + ex.getMessage() + ")");
				throw new ConfigDataResourceNotFoundException(resource, ex);
			}
			// Not the BackendUnreachableException itself: its own failure analyzer would take over, without the prefixes.
			Throwable cause = (ex instanceof BackendUnreachableException && ex.getCause() != null) ? ex.getCause() : ex;
			throw new ValkeyrieConfigDataUnavailableException(backend, endpoints, resource.getReader().getContexts(),
					cause);
		}
		return new ConfigData(List.of(new MapPropertySource(SOURCE_PREFIX + resource.getReader().describe(),
				properties)));
	}

}
