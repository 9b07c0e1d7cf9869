package io.valkeyrie.boot.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.valkeyrie.boot.autoconfigure.StoreStartupException.Kind;
import io.valkeyrie.store.test.SecureAccounts;
import io.valkeyrie.store.test.SecureServers;
import io.valkeyrie.store.test.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that cannot get through to a secured ZooKeeper fails at startup with an
 * analysis that says why: a wrong digest password (refused by the base path's ACL), an
 * untrusted server certificate, a server certificate that names neither the address nor its
 * host name, a missing client certificate. TLS servers of the test's own; the TLS material
 * from the {@code tls-*} options (the ZooKeeper client reads files).
 */
@ExtendWith(OutputCaptureExtension.class)
class ZookeeperSecureStartupTests {

	private static final String PASSWORD = "zk-boot-secret-8e21";

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	private static SecureServers.Running elsewhere;

	@BeforeAll
	static void start() throws Exception {
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.zookeeper(dir, pki, clientCertificates));
		SecureAccounts.zookeeper(servers.tls(), servers.pki(), PASSWORD);
		SecureAccounts.zookeeper(servers.mutual(), servers.pki(), PASSWORD);
		elsewhere = SecureServers.zookeeper(dir, servers.pki(), false, "server-elsewhere");
	}

	@AfterAll
	static void stop() {
		try {
			SecureServers.Pair.close(servers);
		}
		finally {
			if (elsewhere != null) {
				elsewhere.close();
			}
		}
	}

	@Test
	void wrongPassword(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.tls().endpoint(), "ca.crt", false, "wrong-zk-secret"), Kind.AUTHENTICATION,
				"wrong-zk-secret", PASSWORD);
		assertThat(analysis).contains("zookeeper store", "NoAuth", SecureAccounts.ZOOKEEPER_BASE_PATH,
				"valkeyrie.zookeeper.username", "valkeyrie.zookeeper.password");
	}

	@Test
	void untrustedServerCertificate(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.tls().endpoint(), "rogue-ca.crt", true, PASSWORD), Kind.UNTRUSTED_CERTIFICATE, PASSWORD,
				TestPki.STORE_PASSWORD);
		assertThat(analysis).contains("zookeeper store", "certification path");
	}

	@Test
	void hostNameMismatch(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(elsewhere.endpoint(), "ca.crt", true, PASSWORD), Kind.HOSTNAME_MISMATCH, PASSWORD,
				TestPki.STORE_PASSWORD);
		assertThat(analysis).contains("zookeeper store", "valkeyrie.zookeeper.endpoints");
	}

	@Test
	void missingClientCertificate(CapturedOutput output) {
		String analysis = SecureApplications.failureAnalysis(output,
				properties(servers.mutual().endpoint(), "ca.crt", false, PASSWORD), Kind.CLIENT_CERTIFICATE_REFUSED,
				PASSWORD);
		assertThat(analysis).contains("zookeeper store");
	}

	@Test
	void aRunningApplicationKeepsItsSecrets(CapturedOutput output) throws Exception {
		SecureApplications.assertKeepsSecrets(output, "zookeeper", List.of("--valkeyrie.namespace=app",
				"--valkeyrie.zookeeper.endpoints=" + servers.mutual().endpoint(),
				"--valkeyrie.zookeeper.username=" + SecureAccounts.USER, "--valkeyrie.zookeeper.password=" + PASSWORD,
				"--valkeyrie.zookeeper.base-path=" + SecureAccounts.ZOOKEEPER_BASE_PATH,
				"--valkeyrie.zookeeper.options.tls-trust-store=" + servers.pki().file("ca.crt"),
				"--valkeyrie.zookeeper.options.tls-trust-store-type=PEM",
				"--valkeyrie.zookeeper.options.tls-key-store=" + servers.pki().file("client.p12"),
				"--valkeyrie.zookeeper.options.tls-key-store-password=" + TestPki.STORE_PASSWORD,
				"--valkeyrie.zookeeper.options.tls-key-store-type=PKCS12"), PASSWORD, TestPki.STORE_PASSWORD,
				SecureAccounts.zookeeperDigest(SecureAccounts.USER, PASSWORD));
	}

	private static List<String> properties(String endpoint, String trust, boolean clientCertificate, String password) {
		List<String> properties = new ArrayList<>(List.of("valkeyrie.backend=zookeeper", "valkeyrie.namespace=app",
				"valkeyrie.connect-timeout=3s", "valkeyrie.zookeeper.endpoints=" + endpoint,
				"valkeyrie.zookeeper.username=" + SecureAccounts.USER, "valkeyrie.zookeeper.password=" + password,
				"valkeyrie.zookeeper.base-path=" + SecureAccounts.ZOOKEEPER_BASE_PATH,
				"valkeyrie.zookeeper.options.tls-trust-store=" + servers.pki().file(trust),
				"valkeyrie.zookeeper.options.tls-trust-store-type=PEM"));
		if (clientCertificate) {
			properties.add("valkeyrie.zookeeper.options.tls-key-store=" + servers.pki().file("client.p12"));
			properties.add("valkeyrie.zookeeper.options.tls-key-store-password=" + TestPki.STORE_PASSWORD);
			properties.add("valkeyrie.zookeeper.options.tls-key-store-type=PKCS12");
		}
		return properties;
	}

}
