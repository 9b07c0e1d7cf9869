package io.valkeyrie.store.etcd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.test.SecureAccounts;
import io.valkeyrie.store.test.SecretForm;
import io.valkeyrie.store.test.SecureServers;
import io.valkeyrie.store.test.SecureStoreChecks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * etcd over TLS, with client certificates ({@code --client-cert-auth}), authentication
 * ({@code auth enable}) and a role limited to the namespace, on servers of the test's own.
 * The role is the one docs/security.md gives.
 */
class EtcdSecurityTest {

	static final String PASSWORD = "etcd-app-secret-7b2a";

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	@BeforeAll
	static void start() throws Exception {
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.etcd(dir, pki, clientCertificates));
		SecureAccounts.etcd(servers.tls(), servers.pki(), PASSWORD);
		SecureAccounts.etcd(servers.mutual(), servers.pki(), PASSWORD);
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void tlsWithTheLeastPrivilegedUser(SecretForm form) {
		try (Store store = Stores.open(config(servers.tls(), servers.pki().serverOnly(), form, PASSWORD).build())) {
			SecureStoreChecks.exercise(store, "cell");
		}
	}

	@Test
	void mutualTls() {
		try (Store store = Stores.open(config(servers.mutual(), servers.pki().mutual(), PASSWORD).build())) {
			SecureStoreChecks.exercise(store, "cell");
		}
	}

	@Test
	void withoutAClientCertificateTheServerRefuses() {
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> Stores.open(config(servers.mutual(), servers.pki().serverOnly(), PASSWORD).build()).close());
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void aWrongPasswordIsAnAuthenticationFailure(SecretForm form) {
		StoreConfig wrong = config(servers.tls(), servers.pki().serverOnly(), form, "wrong-secret").build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> Stores.open(wrong).close())
			.withStackTraceContaining("authentication failed")
			.satisfies((ex) -> SecureStoreChecks.assertNoSecret(ex, wrong, "wrong-secret", PASSWORD));
	}

	@Test
	void theUserCannotReachAnotherNamespace() {
		StoreConfig other = config(servers.tls(), servers.pki().serverOnly(), PASSWORD).namespace("other").build();
		// Refused while the store opens (it reads or subscribes its namespace), or at the first write.
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> {
			try (Store store = Stores.open(other)) {
				store.put("k", "v");
			}
		}).withStackTraceContaining("permission denied");
	}

	@Test
	void anUntrustedServerCertificateIsRefused() {
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> Stores.open(config(servers.tls(), servers.pki().untrusted(), PASSWORD).build()).close())
			.withStackTraceContaining("PKIX path building failed");
	}

	@Test
	void aHostNameTheCertificateDoesNotNameIsRefused() {
		StoreConfig config = config(servers.tls(), servers.pki().serverOnly(), PASSWORD).endpoints("https://localhost:" + servers.tls().port()).build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> Stores.open(config).close())
			.withStackTraceContaining("localhost");
	}

	@Test
	void turningHostNameVerificationOffIsRefused() {
		TlsConfig unverified = new TlsConfig(servers.pki().mutual().keyManagers(), servers.pki().mutual().trustManagers(), false);
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> Stores.open(config(servers.tls(), unverified, PASSWORD).build()).close())
			.withMessageContaining("authority");
	}

	private static StoreConfig.Builder config(SecureServers.Running server, TlsConfig tls, String password) {
		return config(server, tls, SecretForm.STRING, password);
	}

	private static StoreConfig.Builder config(SecureServers.Running server, TlsConfig tls, SecretForm form, String password) {
		return form.credentials(StoreConfig.builder("etcd").endpoints(server.endpoint()).namespace("app").tls(tls), "app",
				password);
	}

}
