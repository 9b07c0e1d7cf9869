package io.valkeyrie.boot.discovery;

import java.util.Objects;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.internal.DeferredStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.serviceregistry.AbstractAutoServiceRegistration;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.context.ApplicationContext;

/**
 * Registers this application's {@link ValkeyrieRegistration} once its web server has
 * started (taking the server's port unless one was configured), and deregisters it when
 * the context stops.
 * <p>
 * If the store is still connecting in the background ({@code valkeyrie.fail-fast=false}),
 * the registration waits for the connection and is made then, on the connecting thread; a
 * TTL below the server's minimum, or a failed write, is then logged as an ERROR and the
 * instance is not registered. Stopping before the connection cancels it.
 */
public class ValkeyrieAutoServiceRegistration extends AbstractAutoServiceRegistration<ValkeyrieRegistration> {

	private static final Log logger = LogFactory.getLog(ValkeyrieAutoServiceRegistration.class);

	private final ValkeyrieRegistration registration;

	private final boolean register;

	private final boolean deregister;

	private final Object monitor = new Object();

	/** Guarded by {@link #monitor}: set when the context stops, so a waiting registration is not made. */
	private boolean stopped;

	/** Guarded by {@link #monitor}: whether this instance is in the store (as far as we know). */
	private boolean registered;

	/**
	 * Create the auto-registration.
	 * @param context the application context
	 * @param registry the registry
	 * @param properties Spring Cloud's auto-registration settings
	 * @param registration this application's instance
	 * @param register whether to register at all
	 * @param deregister whether to deregister when the context stops (otherwise the
	 * instance goes when its keep-alive lapses)
	 */
	public ValkeyrieAutoServiceRegistration(ApplicationContext context, ValkeyrieServiceRegistry registry,
			AutoServiceRegistrationProperties properties, ValkeyrieRegistration registration, boolean register,
			boolean deregister) {
		super(context, registry, properties);
		this.registration = Objects.requireNonNull(registration, "'registration' must not be null");
		this.register = register;
		this.deregister = deregister;
	}

	@Override
	protected void register() {
		if (this.registration.getPort() <= 0) {
			this.registration.setPort(getPort().get());
		}
		synchronized (this.monitor) {
			// A context started again after a stop registers again.
			this.stopped = false;
		}
		Store store = ((ValkeyrieServiceRegistry) getServiceRegistry()).getStore();
		DeferredStore deferred = DeferredStore.connecting(store);
		if (deferred != null) {
			logger.info("The " + store.backend() + " store is not connected yet: " + this.registration
					+ " is registered once it connects");
			deferred.whenConnected(this::registerOnceConnected);
			return;
		}
		synchronized (this.monitor) {
			super.register();
			this.registered = true;
		}
	}

	private void registerOnceConnected() {
		synchronized (this.monitor) {
			if (this.stopped) {
				return;
			}
			try {
				super.register();
				this.registered = true;
			}
			// No caller to throw to: the application runs on, undiscoverable, and says why loudly.
			catch (IllegalArgumentException ex) {
				logger.error("Could not register " + this.registration + " now that the store connected: "
						+ ex.getMessage() + "; the instance is not discoverable: raise valkeyrie.discovery.ttl to at "
						+ "least that minimum (or leave it unset) and restart it");
			}
			catch (StoreException ex) {
				logger.error("Could not register " + this.registration + " now that the store connected: "
						+ ex.getMessage() + "; the instance is not discoverable until it restarts");
			}
		}
	}

	@Override
	protected void deregister() {
		synchronized (this.monitor) {
			this.stopped = true;
			if (!this.deregister || !this.registered) {
				// Never written (still waiting for the store, or it failed): nothing to remove.
				return;
			}
			try {
				super.deregister();
				this.registered = false;
			}
			catch (StoreException ex) {
				// Shutdown goes on: the instance still goes when the store closes or its keep-alive lapses.
				logger.warn("Could not deregister " + this.registration + ": " + ex.getMessage());
			}
		}
	}

	@Override
	protected Object getConfiguration() {
		return this.registration;
	}

	@Override
	protected boolean isEnabled() {
		return this.register;
	}

	@Override
	protected ValkeyrieRegistration getRegistration() {
		return this.registration;
	}

	@Override
	protected @Nullable ValkeyrieRegistration getManagementRegistration() {
		return null;
	}

}
