package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Checks that the failure analyzers are registered in {@code META-INF/spring.factories}:
 * a real application that fails to start prints their analysis.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalyzersRegistrationTests {

	@Test
	void unknownBackend(CapturedOutput output) {
		start("valkeyrie.backend=mongo");
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("valkeyrie.backend is 'mongo', which is not a valkeyrie backend.")
			.contains("Set valkeyrie.backend to one of:");
	}

	@Test
	void missingClientLibrary(CapturedOutput output) {
		start("valkeyrie.backend=missing-library");
		assertThat(output).contains("Add the Maven dependency com.example:no-such-client");
	}

	@Test
	void unreachableBackend(CapturedOutput output) {
		start("valkeyrie.backend=unreachable");
		assertThat(output).contains("The valkeyrie unreachable store could not start: its servers are unreachable at the backend's default address");
	}

	@Test
	void storeCallFailingDuringStartup(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(TestApplication.class, ReadsAtStartup.class)
			.web(WebApplicationType.NONE)
			.run()
			.close());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("A valkeyrie store call failed while the application started: ")
			.contains("no-such-key");
	}

	@Test
	void invalidNamespace(CapturedOutput output) {
		start("valkeyrie.namespace=a/../b");
		assertThat(output).contains("Invalid value 'a/../b' for configuration property 'valkeyrie.namespace'");
	}

	private static void start(String property) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(TestApplication.class)
			.web(WebApplicationType.NONE)
			.properties(property)
			.run()
			.close());
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ValkeyrieAutoConfiguration.class)
	static class TestApplication {

	}

	@Configuration(proxyBeanMethods = false)
	static class ReadsAtStartup {

		@Bean
		String setting(Store store) {
			return store.get("no-such-key").valueAsString();
		}

	}

}
