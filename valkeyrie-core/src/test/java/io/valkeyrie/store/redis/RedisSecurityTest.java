package io.valkeyrie.store.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.TlsConfig;
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
 * Redis over TLS ({@code tls-port}), with client certificates ({@code tls-auth-clients yes}),
 * an ACL user with a password and the least privilege the store needs, on servers of the
 * test's own. The ACL is the one docs/security.md gives.
 */
class RedisSecurityTest {

	/** The least-privilege user of namespace {@code app} with the default key prefix (docs/security.md). */
	static final String APP_USER = "user app on >app-secret-4d1e resetkeys ~valkeyrie{app}:* resetchannels "
			+ "&valkeyrie{app}:* -@all +hello +ping +info +client|setname +function|load +fcall "
			+ "+fcall_ro +evalsha +eval +script|load +get +exists +psetex +subscribe +unsubscribe +del +getrange "
			+ "+incr +pexpire +pexpireat +pttl +publish +set +time +xadd +xrange +zadd +zrange +zrem "
			+ "+zremrangebyscore +zscore";

	static final List<String> USERS = List.of("user default off", APP_USER);

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	@BeforeAll
	static void start() {
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.redis(dir, pki, clientCertificates, USERS));
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void tlsWithTheLeastPrivilegedUser(SecretForm form) {
		try (Store store = Stores.open(config(servers.tls(), servers.pki().serverOnly(), form, "app-secret-4d1e").build())) {
			SecureStoreChecks.exercise(store, "cell");
		}
	}

	@Test
	void mutualTls() {
		try (Store store = Stores.open(config(servers.mutual(), servers.pki().mutual(), "app-secret-4d1e").build())) {
			SecureStoreChecks.exercise(store, "cell");
		}
	}

	@Test
	void withoutAClientCertificateTheServerRefuses() {
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> Stores.open(config(servers.mutual(), servers.pki().serverOnly(), "app-secret-4d1e").build()).close());
	}

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void aWrongPasswordIsAnAuthenticationFailure(SecretForm form) {
		StoreConfig wrong = config(servers.tls(), servers.pki().serverOnly(), form, "wrong-secret").build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> Stores.open(wrong).close())
			.withStackTraceContaining("WRONGPASS")
			.satisfies((ex) -> SecureStoreChecks.assertNoSecret(ex, wrong, "wrong-secret", "app-secret-4d1e"));
	}

	@Test
	void theUserCannotReachAnotherNamespace() {
		StoreConfig other = config(servers.tls(), servers.pki().serverOnly(), "app-secret-4d1e").namespace("other").build();
		// Refused while the store opens (it reads or subscribes its namespace), or at the first write.
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> {
			try (Store store = Stores.open(other)) {
				store.put("k", "v");
			}
		}).withStackTraceContaining("NOPERM");
	}

	@Test
	void anUntrustedServerCertificateIsRefused() {
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> Stores.open(config(servers.tls(), servers.pki().untrusted(), "app-secret-4d1e").build()).close())
			.withStackTraceContaining("PKIX path building failed");
	}

	@Test
	void aHostNameTheCertificateDoesNotNameIsRefused() {
		StoreConfig config = config(servers.tls(), servers.pki().serverOnly(), "app-secret-4d1e")
			.endpoints("rediss://localhost:" + servers.tls().port())
			.build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> Stores.open(config).close())
			.withStackTraceContaining("localhost");
	}

	private static StoreConfig.Builder config(SecureServers.Running server, TlsConfig tls, String password) {
		return config(server, tls, SecretForm.STRING, password);
	}

	private static StoreConfig.Builder config(SecureServers.Running server, TlsConfig tls, SecretForm form, String password) {
		StoreConfig.Builder builder = StoreConfig.builder("redis")
			.endpoints(server.endpoint())
			.namespace("app")
			.tls(tls)
			.requestTimeout(Duration.ofSeconds(5));
		return form.credentials(builder, "app", password);
	}

}
