package io.valkeyrie.boot.autoconfigure;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns the backend client libraries' own logging down by default, since the store reports
 * an outage itself (one WARN when its servers stop answering, one INFO when they are back,
 * from {@code io.valkeyrie.store.internal.Reachability}): INFO chatter such as ZooKeeper's
 * twenty {@code Client environment:} lines at startup goes (WARN), and so do the per-retry
 * WARN lines with stack traces of ZooKeeper's connection thread, Lettuce's reconnect
 * watchdog and jetcd's retries during an outage (ERROR). The defaults come last, so any
 * {@code logging.level.<logger>} the application sets wins.
 */
class ClientLoggingDefaults implements EnvironmentPostProcessor {

	static final String NAME = "valkeyrieClientLoggingDefaults";

	/** Logger names, as documented in docs/configuration.md. */
	static final Map<String, Object> LEVELS = Map.ofEntries(Map.entry("logging.level.org.apache.zookeeper", "WARN"),
			Map.entry("logging.level.org.apache.zookeeper.ClientCnxn", "ERROR"),
			Map.entry("logging.level.org.apache.curator", "WARN"), Map.entry("logging.level.io.etcd.jetcd", "ERROR"),
			Map.entry("logging.level.io.grpc", "WARN"), Map.entry("logging.level.io.lettuce.core", "WARN"),
			Map.entry("logging.level.io.lettuce.core.protocol.ConnectionWatchdog", "ERROR"),
			Map.entry("logging.level.org.apache.hc.client5", "WARN"));

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getPropertySources().contains(NAME)) {
			environment.getPropertySources().addLast(new MapPropertySource(NAME, LEVELS));
		}
	}

}
