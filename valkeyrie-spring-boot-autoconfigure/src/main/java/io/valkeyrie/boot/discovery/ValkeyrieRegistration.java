package io.valkeyrie.boot.discovery;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application's own instance, as {@link ValkeyrieServiceRegistry} registers it. The
 * port may be set late (from the web server, once it has started); the status is changed
 * through the registry.
 * <p>
 * Thread-safe.
 */
public class ValkeyrieRegistration implements Registration {

	private final String serviceId;

	private final String instanceId;

	private final String host;

	private final boolean secure;

	private final @Nullable String zone;

	private final Map<String, String> metadata;

	private volatile int port;

	private volatile String status = ValkeyrieServiceInstance.UP;

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
		this.serviceId = Objects.requireNonNull(serviceId, "'serviceId' must not be null");
		this.instanceId = Objects.requireNonNull(instanceId, "'instanceId' must not be null");
		this.host = Objects.requireNonNull(host, "'host' must not be null");
		this.port = port;
		this.secure = secure;
		this.zone = zone;
		this.metadata = Map.copyOf(Objects.requireNonNull(metadata, "'metadata' must not be null"));
	}

	@Override
	public String getServiceId() {
		return this.serviceId;
	}

	@Override
	public String getInstanceId() {
		return this.instanceId;
	}

	@Override
	public String getHost() {
		return this.host;
	}

	@Override
	public int getPort() {
		return this.port;
	}

	/**
	 * Set the port, when it is only known once the web server has started.
	 * @param port the port
	 */
	public void setPort(int port) {
		if (port <= 0 || port > 65535) {
			throw new IllegalArgumentException("'port' must be between 1 and 65535, was " + port);
		}
		this.port = port;
	}

	@Override
	public boolean isSecure() {
		return this.secure;
	}

	@Override
	public URI getUri() {
		return ServiceInstance.createUri(this);
	}

	@Override
	public Map<String, String> getMetadata() {
		return toInstance().getMetadata();
	}

	/** The zone, or {@code null}. */
	public @Nullable String getZone() {
		return this.zone;
	}

	/** The status this instance is registered with: {@code UP} or {@code OUT_OF_SERVICE}. */
	public String getStatus() {
		return this.status;
	}

	void setStatus(String status) {
		this.status = status;
	}

	/** The instance as others see it in the store. */
	public ValkeyrieServiceInstance toInstance() {
		return new ValkeyrieServiceInstance(this.serviceId, this.instanceId, this.host, this.port, this.secure,
				this.zone, this.status, this.metadata);
	}

	@Override
	public String toString() {
		return toInstance().toString();
	}

}
