package io.valkeyrie.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.valkeyrie.boot.autoconfigure.StoreStartupException.Kind;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.test.SecureServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that cannot get through to a secured Redis fails at startup with an analysis
 * that says why: an untrusted server certificate, a host name the certificate does not name,
 * a refused client certificate, a wrong password (never "unreachable"). Redis servers with TLS
 * and ACL users of the test's own; SSL bundles from properties.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisSecureStartupTests {

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
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.tls().endpoint(), "rogue-ca.crt", false, PASSWORD), Kind.UNTRUSTED_CERTIFICATE, PASSWORD);
		assertThat(analysis).contains("redis store", "certification path", "valkeyrie.redis.ssl.bundle", "truststore");
	}

	@Test
	void hostNameMismatch(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties("rediss://localhost:" + servers.tls().port(), "ca.crt", false, PASSWORD), Kind.HOSTNAME_MISMATCH,
				PASSWORD);
		assertThat(analysis).contains("redis store", "localhost", "valkeyrie.redis.endpoints");
	}

	@Test
	void missingClientCertificate(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.mutual().endpoint(), "ca.crt", false, PASSWORD), Kind.CLIENT_CERTIFICATE_REFUSED,
				PASSWORD);
		assertThat(analysis).contains("redis store", "valkeyrie.redis.ssl.bundle", "keystore");
	}

	@Test
	void wrongPasswordOverTls(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.tls().endpoint(), "ca.crt", true, "wrong-secret-over-tls"), Kind.AUTHENTICATION,
				"wrong-secret-over-tls", PASSWORD);
		assertThat(analysis).contains("redis store", "WRONGPASS", "valkeyrie.redis.password");
	}

	@Test
	void aRunningApplicationKeepsItsSecrets(CapturedOutput output) throws Exception {
		SecureApplications.assertKeepsSecrets(output, "redis", List.of("--valkeyrie.namespace=app",
				"--valkeyrie.redis.endpoints=" + servers.mutual().endpoint(), "--valkeyrie.redis.username=app",
				"--valkeyrie.redis.password=" + PASSWORD, "--valkeyrie.redis.ssl.bundle=app",
				"--spring.ssl.bundle.pem.app.keystore.certificate=file:" + servers.pki().file("client.crt"),
				"--spring.ssl.bundle.pem.app.keystore.private-key=" + Files.readString(Path.of(servers.pki().file("client.key"))),
				"--spring.ssl.bundle.pem.app.truststore.certificate=file:" + servers.pki().file("ca.crt")),
				PASSWORD, SecureApplications.pemLine(servers.pki(), "client.key"));
	}

	/**
	 * With Spring Data Redis on the class path and only {@code rediss://} endpoints of
	 * valkeyrie's, Boot's connection factory and {@code redis} health indicator go to the
	 * store's TLS server with the store's SSL bundle (client certificate included), instead of
	 * probing {@code localhost:6379} and reporting DOWN.
	 */
	@Test
	void bootsRedisHealthFollowsTheStoreOverMutualTls() {
		List<String> properties = new ArrayList<>(properties(servers.mutual().endpoint(), "ca.crt", true, PASSWORD));
		properties.add("valkeyrie.namespace=boot-health");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ValkeyrieAutoConfiguration.class,
					ValkeyrieDataRedisAutoConfiguration.class, DataRedisAutoConfiguration.class,
					DataRedisHealthContributorAutoConfiguration.class))
			.withPropertyValues(properties.toArray(String[]::new))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataRedisConnectionDetails details = context.getBean(DataRedisConnectionDetails.class);
				assertThat(details.getStandalone().getPort()).as("Boot's Redis port").isEqualTo(servers.mutual().port());
				assertThat(details.getSslBundle()).as("Boot's SSL bundle")
					.isSameAs(context.getBean(SslBundles.class).getBundle("test"));
				assertThat(((HealthIndicator) context.getBean("redisHealthContributor")).health(true))
					.satisfies((health) -> assertThat(health.getStatus()).as("%s", health).isEqualTo(Status.UP));
				context.getBean(Store.class).put("boot-health/check", "1");
			});
	}

	private static List<String> properties(String endpoint, String trust, boolean clientCertificate, String password) {
		List<String> properties = new ArrayList<>(List.of("valkeyrie.backend=redis", "valkeyrie.redis.endpoints=" + endpoint,
				"valkeyrie.redis.username=app", "valkeyrie.redis.password=" + password, "valkeyrie.redis.ssl.bundle=test"));
		properties.addAll(SecureApplications.pemBundle("test", servers.pki(), trust, clientCertificate));
		return properties;
	}

}
