package io.valkeyrie.boot.discovery;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application's own instance, as {@link ValkeyrieServiceRegistry} registers it. The
 * port may be set late (from the web server, once it has started); the status is changed
 * through the registry.
 * <p>
 * Thread-safe.
 */
public class ValkeyrieRegistration implements Registration {

	/** Replaced whole on a change of port or status, so a reader never sees half of one. */
	private volatile ValkeyrieServiceInstance instance;

	/**
	 * Create a registration.
	 * @param serviceId the service; one key segment
	 * @param instanceId the instance, unique within the service; one key segment
	 * @param host the host name or address others reach this instance at
	 * @param port the port, or {@code 0} to set it later with {@link #setPort(int)}
	 * @param secure whether it speaks TLS
	 * @param zone the zone, or {@code null}
	 * @param metadata the metadata
	 */
	public ValkeyrieRegistration(String serviceId, String instanceId, String host, int port, boolean secure,
			@Nullable String zone, Map<String, String> metadata) {
		this.instance = new ValkeyrieServiceInstance(serviceId, instanceId, host, port, secure, zone,
				ValkeyrieServiceInstance.UP, Objects.requireNonNull(metadata, "'metadata' must not be null"));
	}

	@Override
	public String getServiceId() {
		return this.instance.getServiceId();
	}

	@Override
	public String getInstanceId() {
		return this.instance.getInstanceId();
	}

	@Override
	public String getHost() {
		return this.instance.getHost();
	}

	@Override
	public int getPort() {
		return this.instance.getPort();
	}

	/**
	 * Set the port, when it is only known once the web server has started.
	 * @param port the port
	 */
	public void setPort(int port) {
		if (port <= 0 || port > 65535) {
			throw new IllegalArgumentException("'port' must be between 1 and 65535, was " + port);
		}
		synchronized (this) {
			this.instance = this.instance.withPort(port);
		}
	}

	@Override
	public boolean isSecure() {
		return this.instance.isSecure();
	}

	@Override
	public URI getUri() {
		return this.instance.getUri();
	}

	@Override
	public Map<String, String> getMetadata() {
		return this.instance.getMetadata();
	}

	/** The zone, or {@code null}. */
	public @Nullable String getZone() {
		return this.instance.getZone();
	}

	/** The status this instance is registered with: {@code UP} or {@code OUT_OF_SERVICE}. */
	public String getStatus() {
		return this.instance.getStatus();
	}

	synchronized void setStatus(String status) {
		this.instance = this.instance.withStatus(status);
	}

	/** The instance as others see it in the store. */
	public ValkeyrieServiceInstance toInstance() {
		return this.instance;
	}

	@Override
	public String toString() {
		return toInstance().toString();
	}

}
