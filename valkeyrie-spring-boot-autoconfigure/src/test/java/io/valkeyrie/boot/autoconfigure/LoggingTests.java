package io.valkeyrie.boot.autoconfigure;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.valkeyrie.store.test.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a started application logs: one line naming the store, and no client-library
 * chatter unless the application asks for it.
 */
@ExtendWith(OutputCaptureExtension.class)
class LoggingTests {

	/** Client loggers and their default levels: per-retry chatter of an outage is off too. */
	private static final Map<String, LogLevel> CLIENT_LOGGERS = Map.of("org.apache.zookeeper", LogLevel.WARN,
			"org.apache.zookeeper.ClientCnxn", LogLevel.ERROR, "org.apache.curator", LogLevel.WARN, "io.etcd.jetcd",
			LogLevel.ERROR, "io.grpc", LogLevel.WARN, "io.lettuce.core", LogLevel.WARN,
			"io.lettuce.core.protocol.ConnectionWatchdog", LogLevel.ERROR, "org.apache.hc.client5", LogLevel.WARN);

	@Test
	void oneInfoLineNamesBackendMaskedEndpointsAndNamespace(CapturedOutput output) {
		String redis = TestServers.endpoint("redis");
		start("valkeyrie.backend=redis", "valkeyrie.namespace=logging-test",
				"valkeyrie.redis.endpoints=" + redis.replace("redis://", "redis://default:not-the-secret@"))
			.close();
		assertThat(output).containsOnlyOnce("valkeyrie store open: backend redis, endpoints [" + redis
				+ "], namespace 'logging-test'")
			.doesNotContain("not-the-secret");
	}

	@Test
	void clientLibraryChatterIsOffByDefault() {
		// ZooKeeper logs its "Client environment:" lines once per JVM, so the levels are what is checked.
		Map<String, LogLevel> levels = levelsWhileRunning();
		assertThat(levels).isEqualTo(CLIENT_LOGGERS);
	}

	@Test
	void applicationsOwnLoggingLevelWins() {
		assertThat(levelsWhileRunning("logging.level.org.apache.zookeeper=DEBUG")).containsEntry("org.apache.zookeeper",
				LogLevel.DEBUG);
	}

	private static Map<String, LogLevel> levelsWhileRunning(String... more) {
		String[] properties = new String[more.length + 1];
		properties[0] = "valkeyrie.namespace=logging-" + UUID.randomUUID();
		System.arraycopy(more, 0, properties, 1, more.length);
		try (ConfigurableApplicationContext context = start(properties)) {
			LoggingSystem logging = context.getBean(LoggingSystem.class);
			Map<String, LogLevel> levels = new HashMap<>();
			CLIENT_LOGGERS.keySet()
				.forEach((logger) -> levels.put(logger, logging.getLoggerConfiguration(logger).getEffectiveLevel()));
			return levels;
		}
	}

	static ConfigurableApplicationContext start(String... properties) {
		return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
			.properties(properties)
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ValkeyrieAutoConfiguration.class)
	static class TestApplication {

	}

}
