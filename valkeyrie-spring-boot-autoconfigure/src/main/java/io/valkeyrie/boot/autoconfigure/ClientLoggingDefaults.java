package io.valkeyrie.boot.autoconfigure;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns the backend client libraries' own logging down to WARN by default: ZooKeeper's
 * twenty {@code Client environment:} lines and connection INFO messages at startup,
 * Curator's, jetcd's, gRPC's, Lettuce's and HttpClient's INFO chatter. (Their per-retry
 * WARN lines during an outage are not affected.) The defaults come last, so any
 * {@code logging.level.<logger>} the application sets wins.
 */
class ClientLoggingDefaults implements EnvironmentPostProcessor {

	static final String NAME = "valkeyrieClientLoggingDefaults";

	/** Logger names, as documented in docs/configuration.md. */
	static final Map<String, Object> LEVELS = Map.of("logging.level.org.apache.zookeeper", "WARN",
			"logging.level.org.apache.curator", "WARN", "logging.level.io.etcd.jetcd", "WARN",
			"logging.level.io.grpc", "WARN", "logging.level.io.lettuce.core", "WARN",
			"logging.level.org.apache.hc.client5", "WARN");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getPropertySources().contains(NAME)) {
			environment.getPropertySources().addLast(new MapPropertySource(NAME, LEVELS));
		}
	}

}
