package io.valkeyrie.boot.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.util.Assert;

/**
 * Details required to connect to the backend of a valkeyrie store: which backend, where its
 * servers are and how to authenticate. Defined as a bean it replaces what the
 * {@code valkeyrie.*} properties say (as a {@code @ServiceConnection} does).
 */
public interface ValkeyrieConnectionDetails extends ConnectionDetails {

	/**
	 * The backend name.
	 * @return {@code local}, {@code consul}, {@code etcd}, {@code zookeeper} or
	 * {@code redis}
	 */
	String getBackend();

	/**
	 * Server addresses in the backend's own form; empty for the backend's default.
	 * @return the endpoints
	 */
	default List<String> getEndpoints() {
		return List.of();
	}

	/**
	 * Login user name.
	 * @return the user name or {@code null}
	 */
	default @Nullable String getUsername() {
		return null;
	}

	/**
	 * Login password.
	 * @return the password or {@code null}
	 */
	default @Nullable String getPassword() {
		return null;
	}

	/**
	 * Access token (Consul ACL token).
	 * @return the token or {@code null}
	 */
	default @Nullable String getToken() {
		return null;
	}

	/**
	 * SSL bundle securing the connection.
	 * @return the bundle, or {@code null} for a plain connection
	 */
	default @Nullable SslBundle getSslBundle() {
		return null;
	}

	/**
	 * Connection details of a backend with the given endpoints and no credentials.
	 * @param backend the backend name
	 * @param endpoints the server addresses
	 * @return the details
	 */
	static ValkeyrieConnectionDetails of(String backend, List<String> endpoints) {
		Assert.hasText(backend, "'backend' must not be empty");
		List<String> copy = List.copyOf(endpoints);
		return new ValkeyrieConnectionDetails() {

			@Override
			public String getBackend() {
				return backend;
			}

			@Override
			public List<String> getEndpoints() {
				return copy;
			}

		};
	}

}
