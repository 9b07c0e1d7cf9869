package io.valkeyrie.boot.autoconfigure.config;

import java.util.List;
import java.util.Map;

import io.valkeyrie.boot.autoconfigure.StoreStartupException;
import io.valkeyrie.boot.autoconfigure.ValkeyrieBootstrapStores;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreUnavailableException;
import org.apache.commons.logging.Log;

import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.logging.DeferredLogFactory;

/**
 * Loads this application's configuration from the store: opens a store from the
 * {@code valkeyrie.*} properties, reads the folders into one property source named
 * {@value #SOURCE_PREFIX}{@code <folders>}, and closes the store. With {@code optional:} an
 * unreachable backend is logged with one WARN and leaves that property source empty, to be
 * loaded when the application's store connects.
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
		catch (StoreStartupException ex) {
			if (ex.getKind() != StoreStartupException.Kind.UNREACHABLE) {
				// Wrong credentials or configuration are not an outage: optional or not, the
				// startup failure analysis says what to change.
				throw ex;
			}
			return unavailable(resource, ex.getEndpoints(), ex, (ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (StoreUnavailableException ex) {
			return unavailable(resource, List.of(), ex, ex);
		}
		return source(resource, properties, true);
	}

	private static ConfigData source(ValkeyrieConfigDataResource resource, Map<String, Object> properties,
			boolean loaded) {
		return new ConfigData(List.of(new ValkeyrieConfigPropertySource(SOURCE_PREFIX + resource.getReader().describe(),
				properties, resource.isOptionalImport(), loaded)));
	}

	private ConfigData unavailable(ValkeyrieConfigDataResource resource, List<String> endpoints,
			RuntimeException failure, Throwable cause) {
		String backend = resource.getStoreProperties().getBackend();
		if (!resource.isOptionalImport()) {
			// Not the startup exception itself: its own failure analyzer would take over, without the prefixes.
			throw new ValkeyrieConfigDataUnavailableException(backend, endpoints, resource.getReader().getContexts(),
					cause);
		}
		// An empty source all the same: the refresh watch replaces it once the store connects.
		this.logger.warn("Optional configuration " + resource + " is empty for now: the " + backend
				+ " store cannot be reached (" + failure.getMessage() + "); it is loaded and refreshed when the "
				+ "application's store connects (valkeyrie.fail-fast=false, the default with optional:)");
		return source(resource, Map.of(), false);
	}

}
