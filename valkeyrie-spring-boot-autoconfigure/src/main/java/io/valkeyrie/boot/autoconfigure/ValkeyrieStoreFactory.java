package io.valkeyrie.boot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties.BackendProperties;
import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties.RemoteBackendProperties;
import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.internal.ConnectBackoff;
import io.valkeyrie.store.spi.StoreProvider;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundle;

/**
 * Turns the properties, the connection details and the customizers into a
 * {@link StoreConfig}, and opens the store, translating what can go wrong into exceptions
 * the failure analyzers explain.
 */
class ValkeyrieStoreFactory {

	private final ValkeyrieProperties properties;

	private final ValkeyrieConnectionDetails connectionDetails;

	private final List<ValkeyrieStoreCustomizer> customizers;

	ValkeyrieStoreFactory(ValkeyrieProperties properties, ValkeyrieConnectionDetails connectionDetails,
			List<ValkeyrieStoreCustomizer> customizers) {
		this.properties = properties;
		this.connectionDetails = connectionDetails;
		this.customizers = customizers;
	}

	StoreConfig config() {
		String backend = this.connectionDetails.getBackend();
		checkBackend(backend);
		StoreConfig.Builder builder = StoreConfig.builder(backend).endpoints(this.connectionDetails.getEndpoints());
		try {
			builder.namespace(this.properties.getNamespace());
		}
		catch (InvalidKeyException ex) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.namespace", this.properties.getNamespace(),
					ex.getMessage());
		}
		builder.requestTimeout(positive("valkeyrie.request-timeout", this.properties.getRequestTimeout()));
		builder.connectTimeout(positive("valkeyrie.connect-timeout", this.properties.getConnectTimeout()));
		long maxValueSize = this.properties.getMaxValueSize().toBytes();
		if (maxValueSize <= 0 || maxValueSize > Integer.MAX_VALUE) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.max-value-size",
					this.properties.getMaxValueSize(), "must be between 1 byte and 2 GB");
		}
		builder.maxValueSize((int) maxValueSize);
		if (this.properties.getWatchThreads() <= 0) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.watch-threads",
					this.properties.getWatchThreads(), "must be positive");
		}
		builder.watchThreads(this.properties.getWatchThreads());
		// Boot binds secrets as Strings; the store gets them as char[], as its clients take them.
		builder.credentials(this.connectionDetails.getUsername(), chars(this.connectionDetails.getPassword()));
		builder.token(chars(this.connectionDetails.getToken()));
		builder.tls(tls(backend, this.connectionDetails.getSslBundle()));
		BackendProperties group = this.properties.backend(backend);
		if (group != null) {
			group.typedOptions().forEach(builder::option);
			// Free-form options come last: an option set there explicitly wins over a typed default.
			group.getOptions().forEach(builder::option);
		}
		this.customizers.forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	Store open(StoreConfig config, StoreOpener opener) {
		try {
			return opener.open(config);
		}
		catch (StoreStartupException ex) {
			throw ex;
		}
		catch (StoreException ex) {
			StoreConfig tried = opener.effective(config);
			String settings = opener.settings(config);
			if (settings == null) {
				settings = (this.connectionDetails instanceof PropertiesValkeyrieConnectionDetails properties)
						? properties.source()
						: "the ValkeyrieConnectionDetails bean (" + this.connectionDetails.getClass().getName() + ")";
			}
			throw new StoreStartupException(config.backend(), Endpoints.withoutCredentials(tried.endpoints()), settings,
					ex);
		}
	}

	/** The back-off of a store connecting in the background, checked. */
	static ConnectBackoff backoff(Duration initial, Duration max) {
		positive("valkeyrie.connect-retry.initial-interval", initial);
		if (max.compareTo(initial) < 0) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.connect-retry.max-interval", max,
					"must not be shorter than valkeyrie.connect-retry.initial-interval (" + initial + ")");
		}
		return new ConnectBackoff(initial, max);
	}

	private void checkBackend(String backend) {
		Map<String, StoreProvider> providers = Stores.providers();
		StoreProvider provider = providers.get(backend);
		if (provider == null) {
			throw new NoSuchBackendException(backend, providers.keySet());
		}
		String missing = provider.missingDependency();
		if (missing != null) {
			throw new MissingClientLibraryException(backend, missing);
		}
	}

	private @Nullable TlsConfig tls(String backend, @Nullable SslBundle bundle) {
		if (bundle == null) {
			return null;
		}
		boolean verifyHostname = !(this.properties.backend(backend) instanceof RemoteBackendProperties remote)
				|| remote.getSsl().isVerifyHostname();
		return new TlsConfig(bundle.getManagers().getKeyManagerFactory(),
				bundle.getManagers().getTrustManagerFactory(), verifyHostname);
	}

	private static char @Nullable [] chars(@Nullable String secret) {
		return (secret != null) ? secret.toCharArray() : null;
	}

	private static Duration positive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be positive");
		}
		return value;
	}

	/**
	 * Opens a store from its configuration; {@link Stores#open} unless the backend can
	 * reuse a client the application already has.
	 */
	@FunctionalInterface
	interface StoreOpener {

		Store open(StoreConfig config);

		/** Whether this opener opens stores of that configuration's backend. */
		default boolean appliesTo(StoreConfig config) {
			return true;
		}

		/** The configuration {@link #open} really uses, for the failure report. */
		default StoreConfig effective(StoreConfig config) {
			return config;
		}

		/**
		 * Where the connection settings of that configuration come from (a property prefix or
		 * a bean), or {@code null} for the connection details'.
		 */
		default @Nullable String settings(StoreConfig config) {
			return null;
		}

	}

}
