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
import io.valkeyrie.store.test.SecureServers;
import io.valkeyrie.store.test.SecureStoreChecks;
import io.valkeyrie.store.test.TestPki;
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

	static final String BASE_PATH = "/valkeyrie-app";

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	@BeforeAll
	static void start() throws Exception {
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.zookeeper(dir, pki, clientCertificates));
		restrictBasePath(servers.tls());
		restrictBasePath(servers.mutual());
	}

	/** The administrator's step: the base path, readable and writable by the user {@code app} only. */
	static void restrictBasePath(SecureServers.Running server) throws Exception {
		CountDownLatch connected = new CountDownLatch(1);
		ZooKeeper zookeeper = new ZooKeeper(server.endpoint(), 10000, (event) -> {
			if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
				connected.countDown();
			}
		}, clientConfig(true));
		try {
			assertThat(connected.await(30, TimeUnit.SECONDS)).as("connected to %s", server.endpoint()).isTrue();
			Id app = new Id("digest", digest("app", PASSWORD));
			zookeeper.create(BASE_PATH, new byte[0], new java.util.ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, app))), CreateMode.PERSISTENT);
		}
		finally {
			zookeeper.close();
		}
	}

	/** ZooKeeper's digest identity: {@code user:base64(sha1(user:password))}. */
	static String digest(String user, String password) throws Exception {
		byte[] hash = java.security.MessageDigest.getInstance("SHA-1")
			.digest((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
		return user + ":" + java.util.Base64.getEncoder().encodeToString(hash);
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@Test
	void tlsWithTheLeastPrivilegedUser() {
		try (Store store = Stores.open(config(servers.tls(), false, "ca.crt", PASSWORD).build())) {
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

	@Test
	void aWrongPasswordIsRefusedByTheBasePathAcl() {
		// Digest authentication accepts any user:password pair; the ACL then refuses the identity.
		StoreConfig wrong = config(servers.tls(), false, "ca.crt", "wrong-secret").build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> {
			try (Store store = Stores.open(wrong)) {
				store.put("k", "v");
			}
		}).withStackTraceContaining("NoAuth")
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
		StoreConfig.Builder builder = StoreConfig.builder("zookeeper")
			.endpoints(server.endpoint())
			.namespace("app")
			.credentials("app", password)
			.tls(new TlsConfig(null, null, true))
			.option("base-path", BASE_PATH)
			.option("tls-trust-store", servers.pki().file(trust))
			.option("tls-trust-store-type", "PEM");
		if (clientCertificate) {
			builder.option("tls-key-store", servers.pki().file("client.p12"))
				.option("tls-key-store-password", TestPki.STORE_PASSWORD)
				.option("tls-key-store-type", "PKCS12");
		}
		return builder;
	}

	private static ZKClientConfig clientConfig(boolean clientCertificate) {
		ZKClientConfig config = new ZKClientConfig();
		ClientX509Util x509 = new ClientX509Util();
		config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
		config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, org.apache.zookeeper.ClientCnxnSocketNetty.class.getName());
		config.setProperty(x509.getSslTruststoreLocationProperty(), servers.pki().file("ca.crt"));
		config.setProperty(x509.getSslTruststoreTypeProperty(), "PEM");
		if (clientCertificate) {
			config.setProperty(x509.getSslKeystoreLocationProperty(), servers.pki().file("client.p12"));
			config.setProperty(x509.getSslKeystorePasswdProperty(), TestPki.STORE_PASSWORD);
			config.setProperty(x509.getSslKeystoreTypeProperty(), "PKCS12");
		}
		return config;
	}

}
