package io.valkeyrie.boot.docker.compose;

import java.io.IOException;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * A test that has Spring Boot run {@code docker compose}: skipped where no Docker engine
 * answers or no Compose v2 CLI is on the PATH, except under CI ({@code CI=true}), where
 * {@code scripts/test} provides both and a missing one must fail the build instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(DockerComposeTest.ComposeCondition.class)
public @interface DockerComposeTest {

	/** Enables the test when an engine and Compose answer, or when the build is a CI run. */
	class ComposeCondition implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if ("true".equals(System.getenv("CI"))) {
				return ConditionEvaluationResult.enabled("CI: the Docker engine and Compose are required");
			}
			if (!DockerClientFactory.instance().isDockerAvailable()) {
				return ConditionEvaluationResult.disabled("no Docker engine (scripts/docker start starts one)");
			}
			// The two commands Spring Boot tries, in its order.
			return (answers("docker", "compose", "version") || answers("docker-compose", "version"))
					? ConditionEvaluationResult.enabled("Docker Compose answers")
					: ConditionEvaluationResult
						.disabled("no Docker Compose v2 (scripts/docker compose fetches one; eval scripts/docker env)");
		}

		private static boolean answers(String... command) {
			try {
				Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
				String output = new String(process.getInputStream().readAllBytes());
				return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0
						&& output.matches("(?s).*version v?2\\..*");
			}
			catch (IOException ex) {
				return false;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

	}

}
