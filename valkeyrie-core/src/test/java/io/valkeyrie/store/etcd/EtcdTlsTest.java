package io.valkeyrie.store.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * TLS with a client certificate, against an etcd of its own (the test harness's etcd is
 * plain): certificates made with {@code openssl}, the etcd binary from the harness's cache,
 * on ports the system hands out.
 */
class EtcdTlsTest {

	@TempDir
	static Path dir;

	private static Process etcd;

	private static String endpoint;

	@BeforeAll
	static void startEtcdWithTls() throws Exception {
		openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=valkeyrie-test-ca", "-keyout",
				"ca.key", "-out", "ca.crt");
		certificate("server", "subjectAltName=IP:127.0.0.1,DNS:localhost");
		certificate("client", "extendedKeyUsage=clientAuth");
		openssl("pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "client.p12", "-passout", "pass:test");
		int client = freePort();
		int peer = freePort();
		endpoint = "https://127.0.0.1:" + client;
		String cache = System.getenv().getOrDefault("VALKEYRIE_SERVERS_CACHE",
				System.getProperty("user.home") + "/.cache/valkeyrie-servers");
		Path binary = Path.of(cache, "debian", "etcd", "usr", "bin", "etcd");
		assertThat(binary).as("the etcd binary of scripts/servers (run 'scripts/servers fetch etcd')").isExecutable();
		etcd = new ProcessBuilder(binary.toString(), "--name", "tls", "--data-dir", dir.resolve("data").toString(),
				"--logger", "zap", "--log-level", "error", "--listen-client-urls", endpoint, "--advertise-client-urls",
				endpoint, "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls",
				"http://127.0.0.1:" + peer, "--initial-cluster", "tls=http://127.0.0.1:" + peer, "--cert-file",
				file("server.crt"), "--key-file", file("server.key"), "--client-cert-auth", "--trusted-ca-file",
				file("ca.crt"))
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("etcd.log").toFile())
			.start();
		// Ready once a correctly configured client gets through, so a refusal below means refusal.
		try (Store store = Stores.open(config(new TlsConfig(keyManagers(), trustManagers(), true)).build())) {
			await().atMost(Timing.seconds(20)).ignoreExceptions().until(() -> {
				store.put("ready", "yes");
				return true;
			});
		}
	}

	@AfterAll
	static void stopEtcd() throws Exception {
		if (etcd != null) {
			etcd.destroy();
			if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
				etcd.destroyForcibly();
			}
		}
	}

	@Test
	void aClientCertificateAndTrustedCaConnect() throws Exception {
		Store store = Stores.open(config(new TlsConfig(keyManagers(), trustManagers(), true)).build());
		try (store) {
			store.put("k", "over tls");
			assertThat(store.get("k").valueAsString()).isEqualTo("over tls");
		}
	}

	@Test
	void withoutAClientCertificateTheServerRefuses() throws Exception {
		StoreConfig config = config(new TlsConfig(null, trustManagers(), true)).build();
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> Stores.open(config));
	}

	@Test
	void turningHostNameVerificationOffIsRefused() throws Exception {
		assertThatExceptionOfType(StoreConfigurationException.class)
			.isThrownBy(() -> Stores.open(config(new TlsConfig(keyManagers(), trustManagers(), false)).build()))
			.withMessageContaining("authority");
	}

	private static StoreConfig.Builder config(TlsConfig tls) {
		return StoreConfig.builder("etcd").endpoints(endpoint).namespace("tls").tls(tls).requestTimeout(Duration.ofSeconds(3));
	}

	private static KeyManagerFactory keyManagers() throws Exception {
		KeyStore keys = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
			keys.load(in, "test".toCharArray());
		}
		KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		factory.init(keys, "test".toCharArray());
		return factory;
	}

	private static TrustManagerFactory trustManagers() throws Exception {
		KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
		trust.load(null, null);
		try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
			trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(trust);
		return factory;
	}

	private static void certificate(String name, String extension) throws Exception {
		openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", name + ".key", "-out", name + ".csr");
		Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
		openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
				"-extfile", name + ".ext", "-out", name + ".crt");
	}

	private static void openssl(String... arguments) throws Exception {
		List<String> command = new java.util.ArrayList<>(List.of("openssl"));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as("openssl %s:%n%s", command, output)
			.isTrue();
	}

	private static String file(String name) {
		return dir.resolve(name).toString();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
