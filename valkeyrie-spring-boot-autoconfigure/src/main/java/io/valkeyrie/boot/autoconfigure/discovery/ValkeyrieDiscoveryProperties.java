package io.valkeyrie.boot.autoconfigure.discovery;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of service discovery on the store ({@code valkeyrie.discovery.*}).
 */
@ConfigurationProperties("valkeyrie.discovery")
public class ValkeyrieDiscoveryProperties {

	/**
	 * Whether to enable the valkeyrie discovery client and service registry.
	 */
	private boolean enabled = true;

	/**
	 * Directory below which instances are kept, as '<root>/<service-id>/<instance-id>'.
	 */
	private String root = "services";

	/**
	 * Whether to register this application when its web server starts.
	 */
	private boolean register = true;

	/**
	 * Whether to deregister this application when its context closes. Otherwise its
	 * instance goes when its keep-alive lapses.
	 */
	private boolean deregister = true;

	/**
	 * Service id to register under. Defaults to 'spring.application.name', or
	 * 'application'.
	 */
	private @Nullable String serviceId;

	/**
	 * Instance id, unique within the service. Defaults to the service id followed by a
	 * random UUID.
	 */
	private @Nullable String instanceId;

	/**
	 * Host name or address other instances reach this one at. Defaults to the first
	 * non-loopback address's host name (or address with 'prefer-ip-address').
	 */
	private @Nullable String hostname;

	/**
	 * Whether to register the IP address rather than the host name.
	 */
	private boolean preferIpAddress;

	/**
	 * Port to register. Defaults to the web server's port.
	 */
	private @Nullable Integer port;

	/**
	 * Whether the instance speaks TLS (its URI is https).
	 */
	private boolean secure;

	/**
	 * Zone of this instance, also published as the 'zone' metadata entry that Spring Cloud
	 * LoadBalancer's zone preference reads.
	 */
	private @Nullable String zone;

	/**
	 * Metadata to register with this instance.
	 */
	private Map<String, String> metadata = new LinkedHashMap<>();

	/**
	 * How long a crashed or cut-off instance stays registered. Defaults to 10 seconds, or
	 * the store's minimum TTL when that is larger; a smaller value than that minimum is
	 * refused.
	 */
	private @Nullable Duration ttl;

	/**
	 * How long startup waits for the first view of the registered instances.
	 */
	private Duration initialWait = Duration.ofSeconds(10);

	/**
	 * Order of the discovery client among several.
	 */
	private int order;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getRoot() {
		return this.root;
	}

	public void setRoot(String root) {
		this.root = root;
	}

	public boolean isRegister() {
		return this.register;
	}

	public void setRegister(boolean register) {
		this.register = register;
	}

	public boolean isDeregister() {
		return this.deregister;
	}

	public void setDeregister(boolean deregister) {
		this.deregister = deregister;
	}

	public @Nullable String getServiceId() {
		return this.serviceId;
	}

	public void setServiceId(@Nullable String serviceId) {
		this.serviceId = serviceId;
	}

	public @Nullable String getInstanceId() {
		return this.instanceId;
	}

	public void setInstanceId(@Nullable String instanceId) {
		this.instanceId = instanceId;
	}

	public @Nullable String getHostname() {
		return this.hostname;
	}

	public void setHostname(@Nullable String hostname) {
		this.hostname = hostname;
	}

	public boolean isPreferIpAddress() {
		return this.preferIpAddress;
	}

	public void setPreferIpAddress(boolean preferIpAddress) {
		this.preferIpAddress = preferIpAddress;
	}

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public boolean isSecure() {
		return this.secure;
	}

	public void setSecure(boolean secure) {
		this.secure = secure;
	}

	public @Nullable String getZone() {
		return this.zone;
	}

	public void setZone(@Nullable String zone) {
		this.zone = zone;
	}

	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	public void setMetadata(Map<String, String> metadata) {
		this.metadata = metadata;
	}

	public @Nullable Duration getTtl() {
		return this.ttl;
	}

	public void setTtl(@Nullable Duration ttl) {
		this.ttl = ttl;
	}

	public Duration getInitialWait() {
		return this.initialWait;
	}

	public void setInitialWait(Duration initialWait) {
		this.initialWait = initialWait;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

}
