package io.valkeyrie.store.zookeeper;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.test.SecureAccounts;
import io.valkeyrie.store.test.SecretForm;
import io.valkeyrie.store.test.SecureServers;
import io.valkeyrie.store.test.SecureStoreChecks;
import io.valkeyrie.store.test.TestPki;
import io.valkeyrie.store.test.Timing;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * ZooKeeper over TLS ({@code secureClientPort}, Netty), with client certificates
 * ({@code ssl.clientAuth=need}), digest authentication and a base path only the store's user
 * may touch ({@code acl=creator} below it), on servers of the test's own. The ACL is the one
 * docs/security.md gives.
 */
class ZookeeperSecurityTest {

	static final String PASSWORD = "zk-app-secret-51e0";

	static final String BASE_PATH = SecureAccounts.ZOOKEEPER_BASE_PATH;

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	@BeforeAll
	static void start() throws Exception {
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.zookeeper(dir, pki, clientCertificates));
		SecureAccounts.zookeeper(servers.tls(), servers.pki(), PASSWORD);
		SecureAccounts.zookeeper(servers.mutual(), servers.pki(), PASSWORD);
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void tlsWithTheLeastPrivilegedUser(SecretForm form) {
		try (Store store = Stores.open(config(servers.tls(), false, "ca.crt", form, PASSWORD).build())) {
			SecureStoreChecks.exercise(store, "cell");
		}
	}

	@Test
	void mutualTls() {
		try (Store store = Stores.open(config(servers.mutual(), true, "ca.crt", PASSWORD).build())) {
			SecureStoreChecks.exercise(store, "cell");
		}
	}

	@Test
	void withoutAClientCertificateTheServerRefuses() {
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> Stores.open(config(servers.mutual(), false, "ca.crt", PASSWORD).build()).close());
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void aWrongPasswordIsRefusedByTheBasePathAcl(SecretForm form) {
		// Digest authentication accepts any user:password pair; the ACL then refuses the identity,
		// while the store opens (it reads its base path).
		StoreConfig wrong = config(servers.tls(), false, "ca.crt", form, "wrong-secret").build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> Stores.open(wrong).close())
			.withStackTraceContaining("NoAuth")
			.satisfies((ex) -> SecureStoreChecks.assertNoSecret(ex, wrong, "wrong-secret", TestPki.STORE_PASSWORD));
	}

	@Test
	void anUntrustedServerCertificateIsRefused() {
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> Stores.open(config(servers.tls(), false, "rogue-ca.crt", PASSWORD).build()).close());
	}

	@Test
	void theKeyStorePasswordOptionIsMasked() {
		assertThat(config(servers.mutual(), true, "ca.crt", PASSWORD).build().toString()).doesNotContain(TestPki.STORE_PASSWORD, PASSWORD)
			.contains("tls-key-store-password=******");
	}

	private static StoreConfig.Builder config(SecureServers.Running server, boolean clientCertificate, String trust,
			String password) {
		return config(server, clientCertificate, trust, SecretForm.STRING, password);
	}

	private static StoreConfig.Builder config(SecureServers.Running server, boolean clientCertificate, String trust,
			SecretForm form, String password) {
		StoreConfig.Builder builder = StoreConfig.builder("zookeeper")
			.endpoints(server.endpoint())
			.namespace("app")
			// A TLS session plus the open-time read of the base path, on 2 cores shared by two test JVMs.
			.connectTimeout(Timing.seconds(10))
			.tls(new TlsConfig(null, null, true))
			.option("base-path", BASE_PATH)
			.option("tls-trust-store", servers.pki().file(trust))
			.option("tls-trust-store-type", "PEM");
		if (clientCertificate) {
			builder.option("tls-key-store", servers.pki().file("client.p12"))
				.option("tls-key-store-password", TestPki.STORE_PASSWORD)
				.option("tls-key-store-type", "PKCS12");
		}
		return form.credentials(builder, "app", password);
	}

}
