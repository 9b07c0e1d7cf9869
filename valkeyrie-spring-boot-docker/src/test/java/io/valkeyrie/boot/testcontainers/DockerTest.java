package io.valkeyrie.boot.testcontainers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * A test that runs containers: skipped where no Docker engine answers, except under CI
 * ({@code CI=true}), where {@code scripts/test} starts one and a missing engine must fail the
 * build instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(DockerTest.EngineCondition.class)
@Testcontainers
public @interface DockerTest {

	/** Enables the test when an engine answers or when the build is a CI run. */
	class EngineCondition implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if ("true".equals(System.getenv("CI"))) {
				return ConditionEvaluationResult.enabled("CI: the Docker engine is required");
			}
			return DockerClientFactory.instance().isDockerAvailable()
					? ConditionEvaluationResult.enabled("a Docker engine answers")
					: ConditionEvaluationResult.disabled("no Docker engine (scripts/docker start starts one)");
		}

	}

}
