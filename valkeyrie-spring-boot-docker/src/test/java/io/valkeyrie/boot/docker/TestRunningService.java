package io.valkeyrie.boot.docker;

import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactories;
import org.springframework.boot.docker.compose.core.ConnectionPorts;
import org.springframework.boot.docker.compose.core.ImageReference;
import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.boot.docker.compose.service.connection.TestDockerComposeConnectionSources;

/**
 * A Docker Compose service as Spring Boot describes an entry of {@code docker compose ps}:
 * its image, labels, and the host port each container port is published on (all on
 * 127.0.0.1).
 *
 * @param imageName the image, as written in {@code compose.yaml}
 * @param labels the service's labels
 * @param publishedPort the host port of a container port
 */
public record TestRunningService(String imageName, Map<String, String> labels, IntUnaryOperator publishedPort)
		implements RunningService, ConnectionPorts {

	/**
	 * The connection details that the registered factories make for a service, as Spring
	 * Boot asks them.
	 * @param service the service
	 * @return the connection details by type (empty when no factory recognizes the service)
	 */
	public static Map<Class<?>, ?> connectionDetails(RunningService service) {
		return new ConnectionDetailsFactories(null)
			.getConnectionDetails(TestDockerComposeConnectionSources.of(service), false);
	}

	@Override
	public String name() {
		return "service";
	}

	@Override
	public ImageReference image() {
		return ImageReference.of(this.imageName);
	}

	@Override
	public String host() {
		return "127.0.0.1";
	}

	@Override
	public ConnectionPorts ports() {
		return this;
	}

	@Override
	public Map<String, @Nullable String> env() {
		return Map.of();
	}

	@Override
	public int get(int containerPort) {
		return this.publishedPort.applyAsInt(containerPort);
	}

	@Override
	public List<Integer> getAll() {
		// Only Boot's readiness checks list the ports; the factories ask for one.
		return List.of();
	}

	@Override
	public List<Integer> getAll(@Nullable String protocol) {
		return getAll();
	}

}
