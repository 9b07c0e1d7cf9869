package io.valkeyrie.boot.discovery;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * One instance of a service as the store holds it. Immutable. Its
 * {@linkplain #getMetadata() metadata} also carries the zone under {@code zone}, where
 * Spring Cloud LoadBalancer's zone preference looks for it.
 */
public final class ValkeyrieServiceInstance implements ServiceInstance {

	/** The status of an instance that takes traffic. */
	public static final String UP = "UP";

	/** The status of an instance that is registered but takes no traffic. */
	public static final String OUT_OF_SERVICE = "OUT_OF_SERVICE";

	private final String serviceId;

	private final String instanceId;

	private final String host;

	private final int port;

	private final boolean secure;

	private final @Nullable String zone;

	private final String status;

	private final Map<String, String> metadata;

	private final URI uri;

	/**
	 * Create an instance.
	 * @param serviceId the service
	 * @param instanceId the instance, unique within the service
	 * @param host the host name or address
	 * @param port the port
	 * @param secure whether it speaks TLS
	 * @param zone the zone, or {@code null}
	 * @param status {@link #UP} or {@link #OUT_OF_SERVICE}
	 * @param metadata the metadata
	 */
	public ValkeyrieServiceInstance(String serviceId, String instanceId, String host, int port, boolean secure,
			@Nullable String zone, String status, Map<String, String> metadata) {
		this.serviceId = Objects.requireNonNull(serviceId, "'serviceId' must not be null");
		this.instanceId = Objects.requireNonNull(instanceId, "'instanceId' must not be null");
		this.host = Objects.requireNonNull(host, "'host' must not be null");
		this.port = port;
		this.secure = secure;
		this.zone = zone;
		this.status = Objects.requireNonNull(status, "'status' must not be null");
		Map<String, String> all = new java.util.LinkedHashMap<>(metadata);
		if (zone != null) {
			all.putIfAbsent("zone", zone);
		}
		this.metadata = Map.copyOf(all);
		this.uri = ServiceInstance.createUri(this);
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

	@Override
	public boolean isSecure() {
		return this.secure;
	}

	@Override
	public URI getUri() {
		return this.uri;
	}

	@Override
	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	/** The zone, or {@code null}. */
	public @Nullable String getZone() {
		return this.zone;
	}

	/** {@link #UP} or {@link #OUT_OF_SERVICE}. */
	public String getStatus() {
		return this.status;
	}

	/** This instance on another port. */
	ValkeyrieServiceInstance withPort(int port) {
		return new ValkeyrieServiceInstance(this.serviceId, this.instanceId, this.host, port, this.secure, this.zone,
				this.status, this.metadata);
	}

	/** This instance with another status. */
	ValkeyrieServiceInstance withStatus(String status) {
		return new ValkeyrieServiceInstance(this.serviceId, this.instanceId, this.host, this.port, this.secure,
				this.zone, status, this.metadata);
	}

	/** Whether the instance takes traffic. */
	public boolean isUp() {
		return UP.equals(this.status);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof ValkeyrieServiceInstance that && this.serviceId.equals(that.serviceId)
				&& this.instanceId.equals(that.instanceId) && this.host.equals(that.host) && this.port == that.port
				&& this.secure == that.secure && Objects.equals(this.zone, that.zone)
				&& this.status.equals(that.status) && this.metadata.equals(that.metadata);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.serviceId, this.instanceId, this.host, this.port);
	}

	@Override
	public String toString() {
		return this.serviceId + "/" + this.instanceId + "[" + this.uri + ", " + this.status
				+ ((this.zone != null) ? ", zone " + this.zone : "") + "]";
	}

}
