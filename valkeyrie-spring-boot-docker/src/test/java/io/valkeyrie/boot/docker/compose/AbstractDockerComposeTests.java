package io.valkeyrie.boot.docker.compose;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.boot.autoconfigure.ValkeyrieConnectionDetails;
import io.valkeyrie.boot.docker.BackendImage;
import io.valkeyrie.boot.docker.StoreChecks;
import io.valkeyrie.boot.testcontainers.ServiceConnectionTestApplication;
import io.valkeyrie.store.Store;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application whose only configuration is a {@code compose.yaml}: Spring Boot runs
 * {@code docker compose up}, reads {@code docker compose ps}, and the store talks to the
 * service our factory recognized. Each subclass registers its backend's file
 * ({@code src/test/compose/<backend>/compose.yaml}, one backend per file) with
 * {@link #compose(DynamicPropertyRegistry, BackendImage)}.
 */
@SpringBootTest(classes = ServiceConnectionTestApplication.class,
		properties = { "spring.docker.compose.skip.in-tests=false",
				"spring.docker.compose.lifecycle-management=start-and-stop",
				// down, not stop: nothing of the run stays on the engine.
				"spring.docker.compose.stop.command=down" })
@DockerComposeTest
// Close the store after the class rather than keep it cached (Boot takes the services down
// only when the JVM ends).
@DirtiesContext
abstract class AbstractDockerComposeTests {

	private final BackendImage image;

	@Autowired
	private Store store;

	@Autowired
	private ValkeyrieConnectionDetails connectionDetails;

	AbstractDockerComposeTests(BackendImage image) {
		this.image = image;
	}

	/**
	 * The only configuration of the application: the backend's {@code compose.yaml}, in a
	 * project of its own.
	 * @param registry the test's properties
	 * @param image the backend whose file to run
	 */
	static void compose(DynamicPropertyRegistry registry, BackendImage image) {
		registry.add("spring.docker.compose.file", () -> file(image));
		registry.add("spring.docker.compose.arguments", () -> "--project-name=" + project(image));
	}

	private static String file(BackendImage image) {
		return "src/test/compose/" + image.backend() + "/compose.yaml";
	}

	// Boot stops the services when the JVM exits, so each class needs a project of its own, as
	// does each build sharing the engine.
	private static String project(BackendImage image) {
		return "valkeyrie-test-" + ProcessHandle.current().pid() + "-" + image.backend();
	}

	@Test
	void storeConnectsToTheComposeService() throws Exception {
		assertThat(this.connectionDetails)
			.isInstanceOf(ValkeyrieDockerComposeConnectionDetailsFactory.DockerComposeValkeyrieConnectionDetails.class);
		assertThat(this.store.backend()).isEqualTo(this.image.backend());
		// Asked of Compose itself, not of what Boot read: the port the service is published on.
		assertThat(this.store.endpoints()).singleElement().asString().endsWith(publishedAddress());
	}

	@Test
	void putThenGet() {
		StoreChecks.putThenGet(this.store, "docker-compose");
	}

	@Test
	void watchSeesTheCurrentStateThenEveryChange() {
		StoreChecks.watchSeesTheCurrentStateThenEveryChange(this.store, "docker-compose");
	}

	@Test
	void lockExcludesASecondHolderUntilUnlocked() {
		StoreChecks.lockExcludesASecondHolderUntilUnlocked(this.store, "docker-compose");
	}

	/** {@code docker compose port}: the host address of the backend's port, e.g. 127.0.0.1:32768. */
	private String publishedAddress() throws IOException, InterruptedException {
		Process process = new ProcessBuilder(composeCommand("--file", file(this.image), "--project-name",
				project(this.image), "port", this.image.backend(), String.valueOf(this.image.port())))
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes()).strip();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		return output;
	}

	/** The command Spring Boot uses: {@code docker compose} where the plugin is installed. */
	private static List<String> composeCommand(String... arguments) throws IOException, InterruptedException {
		Process plugin = new ProcessBuilder("docker", "compose", "version").redirectErrorStream(true).start();
		plugin.getInputStream().readAllBytes();
		List<String> command = new ArrayList<>(
				(plugin.waitFor() == 0) ? List.of("docker", "compose") : List.of("docker-compose"));
		command.addAll(List.of(arguments));
		return command;
	}

}
