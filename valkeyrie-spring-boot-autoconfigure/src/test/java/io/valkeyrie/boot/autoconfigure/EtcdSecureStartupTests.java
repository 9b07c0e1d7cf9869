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
 * An application that cannot get through to a secured etcd fails at startup with an analysis
 * that says why: a wrong password, an untrusted server certificate, a host name the
 * certificate does not name, a missing client certificate. Servers with TLS, client
 * certificates and authentication of the test's own; SSL bundles from properties.
 */
@ExtendWith(OutputCaptureExtension.class)
class EtcdSecureStartupTests {

	private static final String PASSWORD = "etcd-boot-secret-41f7";

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	@BeforeAll
	static void start() throws Exception {
		servers = SecureServers.pair(dir, (pki, clientCertificates) -> SecureServers.etcd(dir, pki, clientCertificates));
		SecureAccounts.etcd(servers.tls(), servers.pki(), PASSWORD);
		SecureAccounts.etcd(servers.mutual(), servers.pki(), PASSWORD);
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@Test
	void wrongPassword(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.tls().endpoint(), "ca.crt", false, "wrong-etcd-secret"), Kind.AUTHENTICATION,
				"wrong-etcd-secret", PASSWORD);
		assertThat(analysis).contains("etcd store", "valkeyrie.etcd.username", "valkeyrie.etcd.password");
	}

	@Test
	void untrustedServerCertificate(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.tls().endpoint(), "rogue-ca.crt", true, PASSWORD), Kind.UNTRUSTED_CERTIFICATE, PASSWORD);
		assertThat(analysis).contains("etcd store", "certification path", "valkeyrie.etcd.ssl.bundle");
	}

	@Test
	void hostNameMismatch(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties("https://localhost:" + servers.tls().port(), "ca.crt", true, PASSWORD), Kind.HOSTNAME_MISMATCH,
				PASSWORD);
		assertThat(analysis).contains("etcd store", "localhost", "valkeyrie.etcd.endpoints");
	}

	@Test
	void missingClientCertificate(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.mutual().endpoint(), "ca.crt", false, PASSWORD), Kind.CLIENT_CERTIFICATE_REFUSED,
				PASSWORD);
		assertThat(analysis).contains("etcd store", "valkeyrie.etcd.ssl.bundle", "keystore");
	}

	@Test
	void aRunningApplicationKeepsItsSecrets(CapturedOutput output) throws Exception {
		// The password from a config tree (a mounted secret); the client key inline in the bundle.
		Path tree = dir.resolve("config-tree");
		Files.createDirectories(tree.resolve("valkeyrie/etcd"));
		Files.writeString(tree.resolve("valkeyrie/etcd/password"), PASSWORD);
		SecureApplications.assertKeepsSecrets(output, "etcd", List.of("--spring.config.import=configtree:" + tree + "/",
				"--valkeyrie.namespace=app", "--valkeyrie.etcd.endpoints=" + servers.mutual().endpoint(),
				"--valkeyrie.etcd.username=" + SecureAccounts.USER, "--valkeyrie.etcd.ssl.bundle=app",
				"--spring.ssl.bundle.pem.app.keystore.certificate=file:" + servers.pki().file("client.crt"),
				"--spring.ssl.bundle.pem.app.keystore.private-key=" + Files.readString(Path.of(servers.pki().file("client.key"))),
				"--spring.ssl.bundle.pem.app.truststore.certificate=file:" + servers.pki().file("ca.crt")),
				PASSWORD, SecureApplications.pemLine(servers.pki(), "client.key"));
	}

	private static List<String> properties(String endpoint, String trust, boolean clientCertificate, String password) {
		List<String> properties = new ArrayList<>(List.of("valkeyrie.backend=etcd", "valkeyrie.namespace=app",
				"valkeyrie.connect-timeout=3s", "valkeyrie.etcd.endpoints=" + endpoint,
				"valkeyrie.etcd.username=" + SecureAccounts.USER, "valkeyrie.etcd.password=" + password,
				"valkeyrie.etcd.ssl.bundle=etcd"));
		properties.addAll(SecureApplications.pemBundle("etcd", servers.pki(), trust, clientCertificate));
		return properties;
	}

}
