package io.valkeyrie.boot.testcontainers;

import java.util.List;

import io.valkeyrie.boot.autoconfigure.ValkeyrieConnectionDetails;
import io.valkeyrie.boot.docker.BackendImage;
import org.jspecify.annotations.Nullable;
import org.testcontainers.containers.Container;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionDetailsFactory;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionSource;
import org.springframework.util.ClassUtils;

/**
 * {@link ContainerConnectionDetailsFactory} of {@link ValkeyrieConnectionDetails} for a
 * {@code @ServiceConnection} container of one backend's images, recognized by image name
 * (or by the {@code name} of the annotation); one subclass per backend is registered.
 */
abstract class ValkeyrieContainerConnectionDetailsFactory
		extends ContainerConnectionDetailsFactory<Container<?>, ValkeyrieConnectionDetails> {

	private final BackendImage image;

	ValkeyrieContainerConnectionDetailsFactory(BackendImage image) {
		super(image.names());
		this.image = image;
	}

	@Override
	protected ValkeyrieConnectionDetails getContainerConnectionDetails(ContainerConnectionSource<Container<?>> source) {
		return new ContainerValkeyrieConnectionDetails(source, this.image);
	}

	/** Redis and Valkey containers. */
	static class Redis extends ValkeyrieContainerConnectionDetailsFactory {

		Redis() {
			super(BackendImage.REDIS);
		}

	}

	/** etcd containers. */
	static class Etcd extends ValkeyrieContainerConnectionDetailsFactory {

		Etcd() {
			super(BackendImage.ETCD);
		}

	}

	/** ZooKeeper containers. */
	static class Zookeeper extends ValkeyrieContainerConnectionDetailsFactory {

		Zookeeper() {
			super(BackendImage.ZOOKEEPER);
		}

	}

	/**
	 * Consul containers: also any Testcontainers {@code ConsulContainer}, whatever its image
	 * is called (a mirror, a custom build).
	 */
	static class Consul extends ValkeyrieContainerConnectionDetailsFactory {

		private static final String CONSUL_CONTAINER = "org.testcontainers.consul.ConsulContainer";

		Consul() {
			super(BackendImage.CONSUL);
		}

		@Override
		protected boolean sourceAccepts(ContainerConnectionSource<Container<?>> source, Class<?> requiredContainerType,
				Class<?> requiredConnectionDetailsType) {
			return super.sourceAccepts(source, requiredContainerType, requiredConnectionDetailsType)
					|| (ClassUtils.isPresent(CONSUL_CONTAINER, getClass().getClassLoader())
							&& source.accepts(ANY_CONNECTION_NAME, org.testcontainers.consul.ConsulContainer.class,
									requiredConnectionDetailsType));
		}

	}

	/**
	 * {@link ValkeyrieConnectionDetails} of a container: its backend, and the endpoint of the
	 * port it publishes (read when the store opens, after the container has started).
	 */
	static final class ContainerValkeyrieConnectionDetails extends ContainerConnectionDetails<Container<?>>
			implements ValkeyrieConnectionDetails {

		private final BackendImage image;

		ContainerValkeyrieConnectionDetails(ContainerConnectionSource<Container<?>> source, BackendImage image) {
			super(source);
			this.image = image;
		}

		@Override
		public String getBackend() {
			return this.image.backend();
		}

		@Override
		public List<String> getEndpoints() {
			Container<?> container = getContainer();
			return List.of(this.image.endpoint(container.getHost(), container.getMappedPort(this.image.port()),
					getSslBundle() != null));
		}

		@Override
		public @Nullable SslBundle getSslBundle() {
			return super.getSslBundle();
		}

	}

}
