package io.valkeyrie.boot.discovery;

import java.util.Objects;

import io.valkeyrie.store.StoreException;
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
 */
public class ValkeyrieAutoServiceRegistration extends AbstractAutoServiceRegistration<ValkeyrieRegistration> {

	private static final Log logger = LogFactory.getLog(ValkeyrieAutoServiceRegistration.class);

	private final ValkeyrieRegistration registration;

	private final boolean register;

	private final boolean deregister;

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
		super.register();
	}

	@Override
	protected void deregister() {
		if (!this.deregister) {
			return;
		}
		try {
			super.deregister();
		}
		catch (StoreException ex) {
			// Shutdown goes on: the instance still goes when the store closes or its keep-alive lapses.
			logger.warn("Could not deregister " + this.registration + ": " + ex.getMessage());
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
