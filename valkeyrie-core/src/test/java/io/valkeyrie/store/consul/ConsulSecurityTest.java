package io.valkeyrie.store.consul;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Consul over HTTPS, with client certificates ({@code verify_incoming}), ACLs on with default
 * deny and a token whose policy covers only the namespace, on agents of the test's own. The
 * policy is the one docs/security.md gives.
 */
class ConsulSecurityTest {

	static final String MANAGEMENT = "6f1b7a52-management-0000-000000000000";

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	private static String tlsToken;

	private static String mutualToken;

	@BeforeAll
	static void start() throws Exception {
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.consul(dir, pki, clientCertificates, MANAGEMENT));
		tlsToken = SecureAccounts.consul(servers.tls(), servers.pki(), MANAGEMENT);
		mutualToken = SecureAccounts.consul(servers.mutual(), servers.pki(), MANAGEMENT);
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void tlsWithTheLeastPrivilegedToken(SecretForm form) {
		try (Store store = Stores.open(config(servers.tls(), servers.pki().serverOnly(), form, tlsToken).build())) {
			SecureStoreChecks.exercise(store, "cell");
		}
	}

	@Test
	void mutualTls() {
		try (Store store = Stores.open(config(servers.mutual(), servers.pki().mutual(), mutualToken).build())) {
			SecureStoreChecks.exercise(store, "cell");
		}
	}

	@Test
	void withoutAClientCertificateTheServerRefuses() {
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> Stores.open(config(servers.mutual(), servers.pki().serverOnly(), mutualToken).build()).close());
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void aWrongTokenIsRefused(SecretForm form) {
		StoreConfig wrong = config(servers.tls(), servers.pki().serverOnly(), form, "00000000-0000-0000-0000-000000000000")
			.build();
		// Refused while the store opens (it reads the agent's settings).
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> Stores.open(wrong).close())
			.withStackTraceContaining("ACL not found")
			.satisfies((ex) -> SecureStoreChecks.assertNoSecret(ex, wrong, "00000000-0000-0000-0000-000000000000",
					tlsToken, MANAGEMENT));
	}

	/** A token given as a supplier is asked for on every request: a rotated one is used at once. */
	@Test
	void aSuppliedTokenIsAskedForOnEveryRequest() {
		AtomicReference<String> current = new AtomicReference<>(tlsToken);
		StoreConfig.Builder config = config(servers.tls(), servers.pki().serverOnly(), tlsToken)
			.token(() -> current.get().toCharArray());
		try (Store store = Stores.open(config.build())) {
			store.put("rotation", "1");
			current.set("00000000-0000-0000-0000-000000000000");
			assertThatExceptionOfType(StoreException.class).isThrownBy(() -> store.put("rotation", "2"))
				.withStackTraceContaining("ACL not found");
			current.set(tlsToken);
			store.put("rotation", "3");
			assertThat(store.get("rotation").valueAsString()).isEqualTo("3");
		}
	}

	@Test
	void theTokenCannotReachAnotherNamespace() {
		StoreConfig other = config(servers.tls(), servers.pki().serverOnly(), tlsToken).namespace("other").build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> {
			try (Store store = Stores.open(other)) {
				store.put("k", "v");
			}
		}).withStackTraceContaining("denied");
	}

	@Test
	void anUntrustedServerCertificateIsRefused() {
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> Stores.open(config(servers.tls(), servers.pki().untrusted(), tlsToken).build()).close())
			.withStackTraceContaining("certification path");
	}

	@Test
	void aHostNameTheCertificateDoesNotNameIsRefused() {
		StoreConfig config = config(servers.tls(), servers.pki().serverOnly(), tlsToken).endpoints("https://localhost:" + servers.tls().port()).build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> Stores.open(config).close())
			.withStackTraceContaining("localhost");
	}

	private static StoreConfig.Builder config(SecureServers.Running server, TlsConfig tls, String token) {
		return config(server, tls, SecretForm.STRING, token);
	}

	private static StoreConfig.Builder config(SecureServers.Running server, TlsConfig tls, SecretForm form, String token) {
		// A bookkeeping prefix of the application's own, so the policy names no key of another one.
		StoreConfig.Builder builder = StoreConfig.builder("consul")
			.endpoints(server.endpoint())
			.namespace("app")
			.tls(tls)
			.option("bookkeeping-prefix", SecureAccounts.CONSUL_BOOKKEEPING_PREFIX);
		return form.token(builder, token);
	}

}
