package org.springframework.boot.docker.compose.service.connection;

import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.core.env.StandardEnvironment;

/**
 * Makes the {@link DockerComposeConnectionSource} that Spring Boot's Docker Compose support
 * builds for each running service (its constructor is package-private), so that a test can
 * hand the connection-details factories a service without the Compose CLI.
 */
public final class TestDockerComposeConnectionSources {

	private TestDockerComposeConnectionSources() {
	}

	public static DockerComposeConnectionSource of(RunningService service) {
		return new DockerComposeConnectionSource(service, new StandardEnvironment());
	}

}
