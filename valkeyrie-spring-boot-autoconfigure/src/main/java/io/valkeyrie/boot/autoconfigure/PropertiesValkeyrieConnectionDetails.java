package io.valkeyrie.boot.autoconfigure;

import java.util.List;

import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties.Consul;
import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties.RemoteBackendProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Adapts {@link ValkeyrieProperties} to {@link ValkeyrieConnectionDetails}: the details of
 * the group of the selected backend.
 */
class PropertiesValkeyrieConnectionDetails implements ValkeyrieConnectionDetails {

	private final ValkeyrieProperties properties;

	private final @Nullable SslBundles sslBundles;

	PropertiesValkeyrieConnectionDetails(ValkeyrieProperties properties, @Nullable SslBundles sslBundles) {
		this.properties = properties;
		this.sslBundles = sslBundles;
	}

	@Override
	public String getBackend() {
		return this.properties.getBackend().trim().toLowerCase(java.util.Locale.ROOT);
	}

	@Override
	public List<String> getEndpoints() {
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
		return (remote() instanceof Consul consul) ? consul.getToken() : null;
	}

	@Override
	public @Nullable SslBundle getSslBundle() {
		RemoteBackendProperties remote = remote();
		String bundle = (remote != null) ? remote.getSsl().getBundle() : null;
		if (bundle == null) {
			return null;
		}
		if (this.sslBundles == null) {
			throw new IllegalStateException("valkeyrie." + getBackend() + ".ssl.bundle is set to '" + bundle
					+ "' but no SslBundles bean is available");
		}
		return this.sslBundles.getBundle(bundle);
	}

	private @Nullable RemoteBackendProperties remote() {
		return (this.properties.backend(getBackend()) instanceof RemoteBackendProperties remote) ? remote : null;
	}

}
