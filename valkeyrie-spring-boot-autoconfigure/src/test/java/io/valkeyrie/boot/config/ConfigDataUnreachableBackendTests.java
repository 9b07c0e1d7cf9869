package io.valkeyrie.boot.config;

import java.io.IOException;
import java.net.ServerSocket;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreUnavailableException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code spring.config.import} of {@code valkeyrie:} when the backend cannot be reached (an
 * endpoint on a loopback port nothing listens on), for each server backend:
 * {@code optional:} starts without it, a plain import fails through the failure analyzer,
 * naming the backend and the key prefixes.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigDataUnreachableBackendTests {

	@ParameterizedTest
	@ValueSource(strings = { "etcd", "consul", "zookeeper", "redis" })
	void anOptionalImportStartsWithoutTheBackend(String backend) throws IOException {
		try (ConfigurableApplicationContext context = start(backend, "optional:valkeyrie:")) {
			assertThat(context.getEnvironment().getProperty("demo.message")).isNull();
			assertThat(context.getBean(ConfigDataApplication.DemoProperties.class).getMessage()).isEqualTo("none");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "etcd", "consul", "zookeeper", "redis" })
	void anOptionalImportStartsWithItsStoreConnectingInTheBackground(String backend, CapturedOutput output)
			throws IOException {
		try (ConfigurableApplicationContext context = start(backend, "optional:valkeyrie:", "valkeyrie.enabled=true")) {
			assertThat(context.getBean(ConfigDataApplication.DemoProperties.class).getMessage()).isEqualTo("none");
			assertThatExceptionOfType(StoreUnavailableException.class)
				.isThrownBy(() -> context.getBean(Store.class).get("demo"))
				.withMessageStartingWith(backend + " store unavailable: not connected to [");
		}
		assertThat(output).contains("Optional configuration valkeyrie:[config/application, config/orders] is empty for now: the "
				+ backend + " store cannot be reached")
			.contains("store (namespace '', endpoints [")
			.contains("cannot reach its servers")
			.doesNotContain("APPLICATION FAILED TO START");
	}

	@ParameterizedTest
	@ValueSource(strings = { "etcd", "redis" })
	void anOptionalImportWithFailFastFailsThroughTheStoreFailureAnalyzer(String backend, CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> start(backend, "optional:valkeyrie:", "valkeyrie.enabled=true", "valkeyrie.fail-fast=true"));
		assertThat(output).contains("APPLICATION FAILED TO START").contains("its servers are unreachable");
	}

	@ParameterizedTest
	@ValueSource(strings = { "etcd", "consul", "zookeeper", "redis" })
	void aRequiredImportFailsNamingTheBackendAndTheKeyPrefixes(String backend, CapturedOutput output) {
		assertThatException().isThrownBy(() -> start(backend, "valkeyrie:"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("spring.config.import=valkeyrie: could not read the configuration below [config/application, config/orders]")
			.contains("from the " + backend + " store")
			.contains("or import it as 'optional:valkeyrie:'");
	}

	private static ConfigurableApplicationContext start(String backend, String location, String... extra)
			throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		String endpoint = switch (backend) {
			case "redis" -> "redis://127.0.0.1:" + port;
			case "zookeeper" -> "127.0.0.1:" + port;
			default -> "http://127.0.0.1:" + port;
		};
		return new SpringApplicationBuilder(ConfigDataApplication.class).web(WebApplicationType.NONE)
			.properties("spring.config.import=" + location, "spring.application.name=orders",
					"valkeyrie.backend=" + backend, "valkeyrie." + backend + ".endpoints=" + endpoint,
					"valkeyrie.connect-timeout=1s", "valkeyrie.request-timeout=1s", "spring.main.banner-mode=off",
					// Without its Store bean unless a case turns it on; discovery needs the server at startup.
					"valkeyrie.enabled=false", "valkeyrie.discovery.enabled=false")
			.properties(extra)
			.run();
	}

}
