package io.valkeyrie.boot.docker.compose;

import java.util.List;

import io.valkeyrie.boot.autoconfigure.ValkeyrieConnectionDetails;
import io.valkeyrie.boot.docker.BackendImage;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.boot.docker.compose.service.connection.DockerComposeConnectionDetailsFactory;
import org.springframework.boot.docker.compose.service.connection.DockerComposeConnectionSource;
import org.springframework.boot.ssl.SslBundle;

/**
 * {@link DockerComposeConnectionDetailsFactory} of {@link ValkeyrieConnectionDetails} for a
 * Docker Compose service of one backend's images, recognized by image name (or by the
 * {@code org.springframework.boot.service-connection} label); one subclass per backend is
 * registered.
 */
abstract class ValkeyrieDockerComposeConnectionDetailsFactory
		extends DockerComposeConnectionDetailsFactory<ValkeyrieConnectionDetails> {

	private final BackendImage image;

	ValkeyrieDockerComposeConnectionDetailsFactory(BackendImage image) {
		super(image.names().toArray(String[]::new));
		this.image = image;
	}

	@Override
	protected ValkeyrieConnectionDetails getDockerComposeConnectionDetails(DockerComposeConnectionSource source) {
		return new DockerComposeValkeyrieConnectionDetails(source.getRunningService(), this.image);
	}

	/** Redis and Valkey services. */
	static class Redis extends ValkeyrieDockerComposeConnectionDetailsFactory {

		Redis() {
			super(BackendImage.REDIS);
		}

	}

	/** etcd services. */
	static class Etcd extends ValkeyrieDockerComposeConnectionDetailsFactory {

		Etcd() {
			super(BackendImage.ETCD);
		}

	}

	/** Consul services. */
	static class Consul extends ValkeyrieDockerComposeConnectionDetailsFactory {

		Consul() {
			super(BackendImage.CONSUL);
		}

	}

	/** ZooKeeper services. */
	static class Zookeeper extends ValkeyrieDockerComposeConnectionDetailsFactory {

		Zookeeper() {
			super(BackendImage.ZOOKEEPER);
		}

	}

	/**
	 * {@link ValkeyrieConnectionDetails} of a running service: its backend, the endpoint of
	 * the port it publishes and the SSL bundle its labels describe.
	 */
	static final class DockerComposeValkeyrieConnectionDetails extends DockerComposeConnectionDetails
			implements ValkeyrieConnectionDetails {

		private final String backend;

		private final List<String> endpoints;

		private final @Nullable SslBundle sslBundle;

		DockerComposeValkeyrieConnectionDetails(RunningService service, BackendImage image) {
			super(service);
			this.backend = image.backend();
			this.sslBundle = getSslBundle(service);
			this.endpoints = List
				.of(image.endpoint(service.host(), service.ports().get(image.port()), this.sslBundle != null));
		}

		@Override
		public String getBackend() {
			return this.backend;
		}

		@Override
		public List<String> getEndpoints() {
			return this.endpoints;
		}

		@Override
		public @Nullable SslBundle getSslBundle() {
			return this.sslBundle;
		}

	}

}
