package io.valkeyrie.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

/**
 * The connection properties of Spring Cloud Consul and Spring Cloud Zookeeper an
 * application may already have ({@code spring.cloud.consul.host/port/scheme/token},
 * {@code spring.cloud.zookeeper.connect-string}), read from the environment so that Spring
 * Cloud need not be on the classpath. They count only when set.
 */
final class SpringCloudProperties {

	static final String CONSUL = "spring.cloud.consul";

	static final String ZOOKEEPER = "spring.cloud.zookeeper";

	private SpringCloudProperties() {
	}

	/** The Consul agent address, when {@code spring.cloud.consul.host} or {@code port} is set. */
	static @Nullable String consulEndpoint(Environment environment) {
		String host = environment.getProperty(CONSUL + ".host");
		String port = environment.getProperty(CONSUL + ".port");
		if (host == null && port == null) {
			return null;
		}
		// Spring Cloud Consul's own defaults for the parts that are not set.
		return environment.getProperty(CONSUL + ".scheme", "http") + "://" + ((host != null) ? host : "localhost") + ":"
				+ ((port != null) ? port : "8500");
	}

	static @Nullable String consulToken(Environment environment) {
		return environment.getProperty(CONSUL + ".token");
	}

	static @Nullable String zookeeperConnectString(Environment environment) {
		return environment.getProperty(ZOOKEEPER + ".connect-string");
	}

}
