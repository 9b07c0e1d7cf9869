package io.valkeyrie.boot.autoconfigure;

import java.util.List;

import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties.Consul;
import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties.RemoteBackendProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;

/**
 * Adapts {@link ValkeyrieProperties} to {@link ValkeyrieConnectionDetails}: the details of
 * the group of the selected backend.
 */
class PropertiesValkeyrieConnectionDetails implements ValkeyrieConnectionDetails {

	private final ValkeyrieProperties properties;

	private final @Nullable SslBundles sslBundles;

	private final @Nullable Environment environment;

	PropertiesValkeyrieConnectionDetails(ValkeyrieProperties properties, @Nullable SslBundles sslBundles) {
		this(properties, sslBundles, null);
	}

	/**
	 * Details from {@code valkeyrie.*}, except where Spring Cloud's connection properties
	 * for the same backend are set in {@code environment}: those win.
	 */
	PropertiesValkeyrieConnectionDetails(ValkeyrieProperties properties, @Nullable SslBundles sslBundles,
			@Nullable Environment environment) {
		this.properties = properties;
		this.sslBundles = sslBundles;
		this.environment = environment;
	}

	/** The property prefix the endpoints come from, for failure reports. */
	String source() {
		String backend = getBackend();
		if (this.environment != null && backend.equals("consul")
				&& SpringCloudProperties.consulEndpoint(this.environment) != null) {
			return SpringCloudProperties.CONSUL;
		}
		if (this.environment != null && backend.equals("zookeeper")
				&& SpringCloudProperties.zookeeperConnectString(this.environment) != null) {
			return SpringCloudProperties.ZOOKEEPER;
		}
		return "valkeyrie." + backend;
	}

	@Override
	public String getBackend() {
		return this.properties.getBackend().trim().toLowerCase(java.util.Locale.ROOT);
	}

	@Override
	public List<String> getEndpoints() {
		String springCloud = springCloudEndpoint();
		if (springCloud != null) {
			return List.of(springCloud);
		}
		RemoteBackendProperties remote = remote();
		return (remote != null) ? List.copyOf(remote.getEndpoints()) : List.of();
	}

	@Override
	public @Nullable String getUsername() {
		RemoteBackendProperties remote = remote();
		return (remote != null) ? remote.getUsername() : null;
	}

	@Override
	public @Nullable String getPassword() {
		RemoteBackendProperties remote = remote();
		return (remote != null) ? remote.getPassword() : null;
	}

	@Override
	public @Nullable String getToken() {
		String springCloud = (this.environment != null && getBackend().equals("consul"))
				? SpringCloudProperties.consulToken(this.environment) : null;
		if (springCloud != null) {
			return springCloud;
		}
		return (remote() instanceof Consul consul) ? consul.getToken() : null;
	}

	@Override
	public @Nullable SslBundle getSslBundle() {
		RemoteBackendProperties remote = remote();
		String bundle = (remote != null) ? remote.getSsl().getBundle() : null;
		return (bundle != null) ? sslBundle(this.sslBundles, getBackend(), bundle) : null;
	}

	/** The SSL bundle {@code valkeyrie.<backend>.ssl.bundle} names. */
	static SslBundle sslBundle(@Nullable SslBundles sslBundles, String backend, String bundle) {
		if (sslBundles == null) {
			throw new IllegalStateException("valkeyrie." + backend + ".ssl.bundle is set to '" + bundle
					+ "' but no SslBundles bean is available");
		}
		return sslBundles.getBundle(bundle);
	}

	private @Nullable String springCloudEndpoint() {
		if (this.environment == null) {
			return null;
		}
		return switch (getBackend()) {
			case "consul" -> SpringCloudProperties.consulEndpoint(this.environment);
			case "zookeeper" -> SpringCloudProperties.zookeeperConnectString(this.environment);
			default -> null;
		};
	}

	private @Nullable RemoteBackendProperties remote() {
		return (this.properties.backend(getBackend()) instanceof RemoteBackendProperties remote) ? remote : null;
	}

}
