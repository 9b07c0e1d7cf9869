package org.springframework.boot.testcontainers.service.connection;

import java.util.Map;

import org.testcontainers.containers.Container;

import org.springframework.boot.origin.Origin;
import org.springframework.core.annotation.MergedAnnotation;

/**
 * Makes the {@link ContainerConnectionSource} that Spring Boot builds for a
 * {@code @ServiceConnection} container (its constructor is package-private), so that a test
 * can ask the connection-details factories about a container without starting it.
 */
public final class TestContainerConnectionSources {

	private TestContainerConnectionSources() {
	}

	/**
	 * The source of a container field annotated {@code @ServiceConnection(name = name)}.
	 * @param <C> the container type
	 * @param container the container (not started)
	 * @param imageName its image name (asking the container would pull the image)
	 * @param name the annotation's name, empty to deduce it from the image
	 * @return the source
	 */
	@SuppressWarnings("unchecked")
	public static <C extends Container<?>> ContainerConnectionSource<C> of(C container, String imageName,
			String name) {
		MergedAnnotation<ServiceConnection> annotation = MergedAnnotation.of(ServiceConnection.class,
				Map.of("name", name));
		return new ContainerConnectionSource<>("test", new Origin() {
		}, (Class<C>) container.getClass(), imageName, annotation, () -> container, null, null);
	}

}
