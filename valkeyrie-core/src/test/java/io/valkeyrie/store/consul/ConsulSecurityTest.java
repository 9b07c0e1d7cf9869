package io.valkeyrie.store.consul;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.test.SecureServers;
import io.valkeyrie.store.test.SecureStoreChecks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

	/** The least-privilege policy of namespace {@code app} (docs/security.md). */
	static final String RULES = "key_prefix \"app/\" { policy = \"write\" }\n"
			+ "key_prefix \"_valkeyrie-app/\" { policy = \"write\" }\n" + "session_prefix \"\" { policy = \"write\" }\n" + "agent_prefix \"\" { policy = \"read\" }";

	@TempDir
	static Path dir;

	private static SecureServers.Pair servers;

	private static String tlsToken;

	private static String mutualToken;

	@BeforeAll
	static void start() throws Exception {
		servers = SecureServers.pair(dir,
				(pki, clientCertificates) -> SecureServers.consul(dir, pki, clientCertificates, MANAGEMENT));
		tlsToken = appToken(servers.tls());
		mutualToken = appToken(servers.mutual());
	}

	/** The administrator's step: the policy and a token holding it. */
	static String appToken(SecureServers.Running server) throws Exception {
		TlsConfig admin = servers.pki().mutual();
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(admin.keyManagers().getKeyManagers(), admin.trustManagers().getTrustManagers(), null);
		HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
		String policy = "{\"Name\":\"valkeyrie-app\",\"Rules\":" + json(RULES) + "}";
		await(() -> call(client, server, "acl/policy", policy));
		String token = call(client, server, "acl/token", "{\"Policies\":[{\"Name\":\"valkeyrie-app\"}]}");
		java.util.regex.Matcher secret = java.util.regex.Pattern.compile("\"SecretID\":\\s*\"([^\"]+)\"").matcher(token);
		assertThat(secret.find()).as("token answer %s", token).isTrue();
		return secret.group(1);
	}

	private static String call(HttpClient client, SecureServers.Running server, String path, String body) throws Exception {
		HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/v1/" + path))
			.header("X-Consul-Token", MANAGEMENT)
			.PUT(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(path + ": " + response.statusCode() + " " + response.body());
		}
		return response.body();
	}

	/** ACL calls fail until the agent has elected itself and bootstrapped its ACLs. */
	private static void await(java.util.concurrent.Callable<String> call) {
		org.awaitility.Awaitility.await().atMost(io.valkeyrie.store.test.Timing.seconds(60)).ignoreExceptions().until(() -> {
			call.call();
			return true;
		});
	}

	private static String json(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
	}

	@AfterAll
	static void stop() {
		SecureServers.Pair.close(servers);
	}

	@Test
	void tlsWithTheLeastPrivilegedToken() {
		try (Store store = Stores.open(config(servers.tls(), servers.pki().serverOnly(), tlsToken).build())) {
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

	@Test
	void aWrongTokenIsRefused() {
		StoreConfig wrong = config(servers.tls(), servers.pki().serverOnly(), "00000000-0000-0000-0000-000000000000").build();
		assertThatExceptionOfType(StoreException.class).isThrownBy(() -> {
			try (Store store = Stores.open(wrong)) {
				store.put("k", "v");
			}
		}).withStackTraceContaining("ACL not found")
			.satisfies((ex) -> SecureStoreChecks.assertNoSecret(ex, wrong, "00000000-0000-0000-0000-000000000000",
					tlsToken, MANAGEMENT));
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
		// A bookkeeping prefix of the application's own, so the policy names no key of another one.
		return StoreConfig.builder("consul")
			.endpoints(server.endpoint())
			.namespace("app")
			.token(token)
			.tls(tls)
			.option("bookkeeping-prefix", "_valkeyrie-app");
	}

}
