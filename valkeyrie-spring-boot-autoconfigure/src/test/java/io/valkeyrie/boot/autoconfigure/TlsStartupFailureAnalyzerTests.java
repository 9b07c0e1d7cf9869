package io.valkeyrie.boot.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.valkeyrie.store.test.SecureServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A secured server the application cannot get through to fails at startup with an analysis
 * that says which: an untrusted server certificate, a host name the certificate does not
 * name, a refused client certificate, a wrong password (never "unreachable"). Real
 * applications, SSL bundles from properties, Redis servers with TLS and ACL users of the
 * test's own; the analysis read from the console.
 */
@ExtendWith(OutputCaptureExtension.class)
class TlsStartupFailureAnalyzerTests {

	private static final String PASSWORD = "tls-app-secret-3c9d";

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	@BeforeAll
	static void start() {
		List<String> users = List.of("user default off", "user app on >" + PASSWORD + " ~* &* +@all");
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.redis(dir, pki, clientCertificates, users));
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@Test
	void untrustedServerCertificate(CapturedOutput output) {
		start(servers.tls().endpoint(), "rogue-ca.crt", false, PASSWORD);
		assertThat(analysis(output)).contains("redis store", "TLS certificate is not trusted", "certification path",
				"valkeyrie.redis.ssl.bundle", "truststore")
			.doesNotContain("unreachable", PASSWORD);
	}

	@Test
	void hostNameMismatch(CapturedOutput output) {
		start("rediss://localhost:" + servers.tls().port(), "ca.crt", false, PASSWORD);
		assertThat(analysis(output)).contains("redis store", "does not match its host name", "localhost",
				"valkeyrie.redis.endpoints")
			.doesNotContain("unreachable", PASSWORD);
	}

	@Test
	void missingClientCertificate(CapturedOutput output) {
		start(servers.mutual().endpoint(), "ca.crt", false, PASSWORD);
		assertThat(analysis(output)).contains("redis store", "refused the TLS client certificate",
				"valkeyrie.redis.ssl.bundle", "keystore")
			.doesNotContain("unreachable", PASSWORD);
	}

	@Test
	void wrongPasswordOverTls(CapturedOutput output) {
		start(servers.tls().endpoint(), "ca.crt", true, "wrong-secret-over-tls");
		assertThat(analysis(output)).contains("redis store", "authentication failed", "WRONGPASS",
				"valkeyrie.redis.password")
			.doesNotContain("unreachable", "wrong-secret-over-tls");
	}

	/** The failure analysis Spring Boot printed, from its banner on. */
	private static String analysis(CapturedOutput output) {
		String all = output.getAll();
		int start = all.indexOf("APPLICATION FAILED TO START");
		assertThat(start).as("a failure analysis was printed:%n%s", all).isNotNegative();
		return all.substring(start);
	}

	private static void start(String endpoint, String trust, boolean clientCertificate, String password) {
		List<String> properties = new ArrayList<>(List.of("valkeyrie.backend=redis", "valkeyrie.redis.endpoints=" + endpoint,
				"valkeyrie.redis.username=app", "valkeyrie.redis.password=" + password,
				"valkeyrie.redis.ssl.bundle=test", "spring.ssl.bundle.pem.test.truststore.certificate=file:" + servers.pki().file(trust)));
		if (clientCertificate) {
			properties.add("spring.ssl.bundle.pem.test.keystore.certificate=file:" + servers.pki().file("client.crt"));
			properties.add("spring.ssl.bundle.pem.test.keystore.private-key=file:" + servers.pki().file("client.key"));
		}
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(TestApplication.class)
			.web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run()
			.close());
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SslAutoConfiguration.class, ValkeyrieAutoConfiguration.class })
	static class TestApplication {

	}

}
