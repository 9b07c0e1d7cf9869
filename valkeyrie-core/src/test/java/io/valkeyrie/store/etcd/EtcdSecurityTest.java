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
import io.valkeyrie.store.test.SecureServers;
import io.valkeyrie.store.test.SecureStoreChecks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
		enableAuthentication(servers.tls());
		enableAuthentication(servers.mutual());
	}

	/**
	 * A root user (etcd needs one to enable authentication) and the user {@code app} whose role
	 * reads and writes only the namespace {@code app} and its lock records.
	 */
	static void enableAuthentication(SecureServers.Running server) throws Exception {
		TlsConfig admin = servers.pki().mutual();
		try (Client client = Client.builder().endpoints(server.endpoint()).sslContext((ssl) -> {
			ssl.keyManager(admin.keyManagers());
			ssl.trustManager(admin.trustManagers());
		}).build()) {
			var auth = client.getAuthClient();
			auth.userAdd(bytes("root"), bytes("root-secret-0c3d")).get();
			auth.roleAdd(bytes("root")).get();
			auth.userGrantRole(bytes("root"), bytes("root")).get();
			auth.roleAdd(bytes("valkeyrie-app")).get();
			for (String prefix : List.of("app/", "\0valkeyrie/locks/app/")) {
				auth.roleGrantPermission(bytes("valkeyrie-app"), bytes(prefix), prefixEnd(prefix), Permission.Type.READWRITE)
					.get();
			}
			auth.userAdd(bytes("app"), bytes(PASSWORD)).get();
			auth.userGrantRole(bytes("app"), bytes("valkeyrie-app")).get();
			auth.authEnable().get();
		}
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@Test
	void tlsWithTheLeastPrivilegedUser() {
		try (Store store = Stores.open(config(servers.tls(), servers.pki().serverOnly(), PASSWORD).build())) {
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

	@Test
	void aWrongPasswordIsAnAuthenticationFailure() {
		StoreConfig wrong = config(servers.tls(), servers.pki().serverOnly(), "wrong-secret").build();
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
		return StoreConfig.builder("etcd").endpoints(server.endpoint()).namespace("app").credentials("app", password).tls(tls);
	}

	private static ByteSequence bytes(String value) {
		return ByteSequence.from(value, StandardCharsets.UTF_8);
	}

	private static ByteSequence prefixEnd(String prefix) {
		byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
		end[end.length - 1]++;
		return ByteSequence.from(end);
	}

}
