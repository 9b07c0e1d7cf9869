package io.valkeyrie.boot.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.test.TestPki;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Starts the applications of the security tests ({@code *SecureStartupTests}) on the servers
 * of {@link io.valkeyrie.store.test.SecureServers} and reads the failure analysis they print.
 */
final class SecureApplications {

	private SecureApplications() {
	}

	/**
	 * Start an application that must fail to start; the failure analysis Spring Boot printed,
	 * from its banner on, checked to be the given kind of failure and never "unreachable".
	 * @param kind the kind's description ({@code StoreStartupException.Kind})
	 * @param secrets what the analysis and the failure's stack trace must not contain
	 */
	static String failureAnalysis(CapturedOutput output, List<String> properties, StoreStartupException.Kind kind,
			String... secrets) {
		int before = output.getAll().length();
		Throwable failure = catchStartupFailure(properties);
		String all = output.getAll().substring(before);
		int start = all.indexOf("APPLICATION FAILED TO START");
		assertThat(start).as("a failure analysis was printed:%n%s", all).isNotNegative();
		String analysis = all.substring(start);
		assertThat(analysis).contains(kind.description()).doesNotContain("unreachable");
		java.io.StringWriter trace = new java.io.StringWriter();
		failure.printStackTrace(new java.io.PrintWriter(trace));
		for (String secret : secrets) {
			assertThat(all).as("the console").doesNotContain(secret);
			assertThat(trace.toString()).as("the failure").doesNotContain(secret);
		}
		return analysis;
	}

	/**
	 * Run a whole application (web server, actuator, every auto-configuration, debug logging of
	 * valkeyrie) on the given command line, make a store call, and check that none of the
	 * secrets shows in its console, {@code /actuator/health}, {@code /actuator/env},
	 * {@code /actuator/configprops}, {@code /actuator/metrics} and the meter registry's tags, or
	 * the {@code toString()} of any valkeyrie bean and properties group. The environment and
	 * configuration properties endpoints show values, sanitised the way Boot recommends
	 * ({@link SanitizingFunction#ifLikelySensitive()}): the secrets' property names must be
	 * recognisable as such.
	 * @param backend the backend the arguments configure
	 * @param arguments {@code --name=value} arguments
	 * @param secrets what must not show anywhere
	 */
	static void assertKeepsSecrets(CapturedOutput output, String backend, List<String> arguments, String... secrets)
			throws Exception {
		List<String> all = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
				"--management.endpoints.web.exposure.include=health,env,configprops,metrics",
				"--management.endpoint.health.show-details=always",
				// Boot's own Redis health probes localhost:6379 when neither spring.data.redis nor
				// valkeyrie's Redis is set; with valkeyrie's, it follows the store (also over TLS).
				"--management.health.redis.enabled=" + "redis".equals(backend), "--management.endpoint.env.show-values=always",
				"--management.endpoint.configprops.show-values=always", "--logging.level.io.valkeyrie=debug",
				"--valkeyrie.backend=" + backend,
				// A TLS handshake of a JVM that has not made one yet, on a busy machine: the default 5 s
				// was once too short for ZooKeeper's in a loaded test run.
				"--valkeyrie.connect-timeout=30s"));
		all.addAll(arguments);
		Map<String, String> seen = new LinkedHashMap<>();
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ActuatorApplication.class)
			.run(all.toArray(String[]::new))) {
			context.getBean(Store.class).put("secrets/check", "1");
			String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + "/actuator/";
			HttpClient http = HttpClient.newHttpClient();
			String health = get(http, base + "health");
			assertThat(health).contains("\"valkeyrie\"", "\"UP\"");
			seen.put("/actuator/health", health);
			String env = get(http, base + "env");
			// The secrets' properties are there, their values masked: the check below can fail.
			assertThat(env).contains("valkeyrie." + backend + ".", "******");
			seen.put("/actuator/env", env);
			String configprops = get(http, base + "configprops");
			assertThat(configprops).contains("\"valkeyrie\"", "******");
			seen.put("/actuator/configprops", configprops);
			String metrics = get(http, base + "metrics");
			seen.put("/actuator/metrics", metrics);
			List<String> names = new ArrayList<>();
			Matcher name = Pattern.compile("\"(valkeyrie[^\"]*)\"").matcher(metrics);
			while (name.find()) {
				names.add(name.group(1));
			}
			assertThat(names).as("valkeyrie's meters").isNotEmpty();
			for (String meter : names) {
				seen.put("/actuator/metrics/" + meter, get(http, base + "metrics/" + meter));
			}
			StringBuilder tags = new StringBuilder();
			context.getBean(MeterRegistry.class)
				.forEachMeter((meter) -> tags.append(meter.getId().getName()).append(meter.getId().getTags()).append('\n'));
			seen.put("the meter registry's tags", tags.toString());
			for (String bean : context.getBeanDefinitionNames()) {
				Object instance = context.getBean(bean);
				if (instance.getClass().getName().startsWith("io.valkeyrie.")) {
					seen.put("toString() of bean " + bean, String.valueOf(instance));
				}
			}
			ValkeyrieProperties properties = context.getBean(ValkeyrieProperties.class);
			for (String group : List.of("local", "consul", "etcd", "zookeeper", "redis")) {
				seen.put("toString() of valkeyrie." + group, String.valueOf(properties.backend(group)));
			}
			seen.put("toString() of the connection details",
					String.valueOf(context.getBean(ValkeyrieConnectionDetails.class)));
		}
		seen.put("the console", output.getAll());
		seen.forEach((where, text) -> {
			for (String secret : secrets) {
				assertThat(text).as(where).doesNotContain(secret);
			}
		});
	}

	private static String get(HttpClient http, String url) throws Exception {
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("%s answered %s", url, response.body()).isEqualTo(200);
		return response.body();
	}

	/** A middle line of a PEM file: part of its key, never printed whole. */
	static String pemLine(TestPki pki, String file) throws Exception {
		List<String> lines = Files.readAllLines(Path.of(pki.file(file)));
		return lines.get(lines.size() / 2);
	}

	/**
	 * The properties of a PEM SSL bundle of the test authority's files.
	 * @param trust the trusted certificate ({@code ca.crt}, or {@code rogue-ca.crt} to distrust the servers)
	 * @param clientCertificate whether the bundle holds the client certificate and its key
	 */
	static List<String> pemBundle(String name, TestPki pki, String trust, boolean clientCertificate) {
		String prefix = "spring.ssl.bundle.pem." + name;
		List<String> properties = new ArrayList<>(List.of(prefix + ".truststore.certificate=file:" + pki.file(trust)));
		if (clientCertificate) {
			properties.add(prefix + ".keystore.certificate=file:" + pki.file("client.crt"));
			properties.add(prefix + ".keystore.private-key=file:" + pki.file("client.key"));
		}
		return properties;
	}

	private static Throwable catchStartupFailure(List<String> properties) {
		Throwable[] failure = new Throwable[1];
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(StoreOnly.class).web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run()
			.close()).satisfies((ex) -> failure[0] = ex);
		return failure[0];
	}

	/** An application with everything on the class path: web server, actuator, metrics. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ActuatorApplication {

		@Bean
		SanitizingFunction likelySensitive() {
			return SanitizingFunction.sanitizeValue().ifLikelySensitive();
		}

	}

	/** An application with SSL bundles and the store only. */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SslAutoConfiguration.class, ValkeyrieAutoConfiguration.class })
	static class StoreOnly {

	}

}
