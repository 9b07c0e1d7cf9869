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
		catch (StoreStartupException ex) {
			if (ex.getKind() != StoreStartupException.Kind.UNREACHABLE) {
				// Wrong credentials or configuration are not an outage: optional or not, the
				// startup failure analysis says what to change.
				throw ex;
			}
			throw unavailable(resource, ex.getEndpoints(), ex, (ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (StoreUnavailableException ex) {
			throw unavailable(resource, List.of(), ex, ex);
		}
		return new ConfigData(List.of(new MapPropertySource(SOURCE_PREFIX + resource.getReader().describe(),
				properties)));
	}

	private RuntimeException unavailable(ValkeyrieConfigDataResource resource, List<String> endpoints,
			RuntimeException failure, Throwable cause) {
		String backend = resource.getStoreProperties().getBackend();
		if (resource.isOptionalImport()) {
			this.logger.warn("Skipping optional configuration " + resource + ": the " + backend
					+ " store cannot be reached (" + failure.getMessage() + ")");
			return new ConfigDataResourceNotFoundException(resource, failure);
		}
		// Not the startup exception itself: its own failure analyzer would take over, without the prefixes.
		return new ValkeyrieConfigDataUnavailableException(backend, endpoints, resource.getReader().getContexts(), cause);
	}

}
