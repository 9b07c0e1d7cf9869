package io.valkeyrie.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.valkeyrie.boot.autoconfigure.StoreStartupException.Kind;
import io.valkeyrie.store.test.SecureAccounts;
import io.valkeyrie.store.test.SecureServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that cannot get through to a secured consul fails at startup with an analysis
 * that says why: a wrong ACL token, an untrusted server certificate, a host name the
 * certificate does not name, a missing client certificate. Servers with TLS, client
 * certificates and ACLs (default deny) of the test's own; SSL bundles from properties.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConsulSecureStartupTests {

	private static final String MANAGEMENT = "5d0c6e1a-management-0000-000000000000";

	private static String token;

	private static String mutualToken;

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	@BeforeAll
	static void start() throws Exception {
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.consul(dir, pki, clientCertificates, MANAGEMENT));
		token = SecureAccounts.consul(servers.tls(), servers.pki(), MANAGEMENT);
		mutualToken = SecureAccounts.consul(servers.mutual(), servers.pki(), MANAGEMENT);
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@Test
	void wrongToken(CapturedOutput output) {
		String wrong = "00000000-0000-4000-8000-00000000beef";
		String analysis = SecureApplications.failureAnalysis(output, properties(servers.tls().endpoint(), "ca.crt", false, wrong),
				Kind.AUTHENTICATION, wrong, token, MANAGEMENT);
		assertThat(analysis).contains("consul store", "ACL not found", "valkeyrie.consul.token");
	}

	@Test
	void untrustedServerCertificate(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.tls().endpoint(), "rogue-ca.crt", true, token), Kind.UNTRUSTED_CERTIFICATE, token, MANAGEMENT);
		assertThat(analysis).contains("consul store", "certification path", "valkeyrie.consul.ssl.bundle");
	}

	@Test
	void hostNameMismatch(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties("https://localhost:" + servers.tls().port(), "ca.crt", true, token), Kind.HOSTNAME_MISMATCH,
				token, MANAGEMENT);
		assertThat(analysis).contains("consul store", "localhost", "valkeyrie.consul.endpoints");
	}

	@Test
	void missingClientCertificate(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.mutual().endpoint(), "ca.crt", false, token), Kind.CLIENT_CERTIFICATE_REFUSED,
				token, MANAGEMENT);
		assertThat(analysis).contains("consul store", "valkeyrie.consul.ssl.bundle", "keystore");
	}

	@Test
	void aRunningApplicationKeepsItsSecrets(CapturedOutput output) throws Exception {
		SecureApplications.assertKeepsSecrets(output, "consul", List.of("--valkeyrie.namespace=app",
				"--valkeyrie.consul.endpoints=" + servers.mutual().endpoint(), "--valkeyrie.consul.token=" + mutualToken,
				"--valkeyrie.consul.options.bookkeeping-prefix=" + SecureAccounts.CONSUL_BOOKKEEPING_PREFIX,
				"--valkeyrie.consul.ssl.bundle=app",
				"--spring.ssl.bundle.pem.app.keystore.certificate=file:" + servers.pki().file("client.crt"),
				"--spring.ssl.bundle.pem.app.keystore.private-key=" + Files.readString(Path.of(servers.pki().file("client.key"))),
				"--spring.ssl.bundle.pem.app.truststore.certificate=file:" + servers.pki().file("ca.crt")),
				mutualToken, MANAGEMENT, SecureApplications.pemLine(servers.pki(), "client.key"));
	}

	private static List<String> properties(String endpoint, String trust, boolean clientCertificate, String token) {
		List<String> properties = new ArrayList<>(List.of("valkeyrie.backend=consul", "valkeyrie.namespace=app",
				"valkeyrie.connect-timeout=3s", "valkeyrie.consul.endpoints=" + endpoint,
				"valkeyrie.consul.token=" + token,
				"valkeyrie.consul.options.bookkeeping-prefix=" + SecureAccounts.CONSUL_BOOKKEEPING_PREFIX,
				"valkeyrie.consul.ssl.bundle=consul"));
		properties.addAll(SecureApplications.pemBundle("consul", servers.pki(), trust, clientCertificate));
		return properties;
	}

}
