package io.valkeyrie.store.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * Throw-away servers with TLS and authentication, started from the binaries of
 * {@code scripts/servers} on free loopback ports, for the security tests of the core and of
 * the auto-configuration. Each one trusts the {@link TestPki}'s authority.
 */
public final class SecureServers {

	private SecureServers() {
	}

	/** A running server and the endpoint a store uses for it. */
	public record Running(String endpoint, int port, ServerProcess process) implements AutoCloseable {

		@Override
		public void close() {
			this.process.close();
		}

	}

	/** Starts one kind of secure server, with or without required client certificates. */
	@FunctionalInterface
	public interface Starter {

		Running start(TestPki pki, boolean clientCertificates);

	}

	/**
	 * The two servers of a security test, both trusting the same fresh {@link TestPki}: one
	 * with TLS only, one that also requires client certificates.
	 */
	public record Pair(TestPki pki, Running tls, Running mutual) implements AutoCloseable {

		@Override
		public void close() {
			try {
				this.tls.close();
			}
			finally {
				this.mutual.close();
			}
		}

		/** Stop both servers of a pair a failed start may have left {@code null}. */
		public static void close(Pair pair) {
			if (pair != null) {
				pair.close();
			}
		}

	}

	/**
	 * A fresh authority in {@code dir} and a TLS-only and a mutual-TLS server of it; the first
	 * is stopped again if the second fails to start.
	 */
	public static Pair pair(Path dir, Starter starter) {
		TestPki pki = TestPki.create(dir);
		Running tls = starter.start(pki, false);
		try {
			return new Pair(pki, tls, starter.start(pki, true));
		}
		catch (RuntimeException | Error ex) {
			tls.close();
			throw ex;
		}
	}

	/**
	 * Redis on a TLS port only (no plain port), the given ACL users in its configuration.
	 * @param clientCertificates whether clients must present a certificate of the authority
	 * @param users {@code user ...} lines of a Redis configuration
	 */
	public static Running redis(Path dir, TestPki pki, boolean clientCertificates, List<String> users) {
		int port = ServerProcess.freePort();
		List<String> config = new ArrayList<>(List.of("bind 127.0.0.1", "port 0", "tls-port " + port,
				"tls-cert-file " + pki.file("server.crt"), "tls-key-file " + pki.file("server.key"),
				"tls-ca-cert-file " + pki.file("ca.crt"), "tls-auth-clients " + (clientCertificates ? "yes" : "no"),
				"save \"\"", "appendonly no", "dir " + dir));
		config.addAll(users);
		Path file = dir.resolve("redis-" + port + ".conf");
		write(file, config);
		Path root = ServerProcess.cached("debian/redis");
		List<String> command = List.of("env", "LD_LIBRARY_PATH=" + libraries(root.resolve("usr/lib")),
				root.resolve("usr/bin/redis-server").toString(), file.toString());
		ServerProcess process = ServerProcess.start(dir, "redis-" + port, command);
		awaitLog(process, "Ready to accept connections");
		return new Running("rediss://127.0.0.1:" + port, port, process);
	}

	/**
	 * etcd serving clients over TLS only (its peer port stays plain: one member).
	 * @param clientCertificates whether clients must present a certificate of the authority
	 */
	public static Running etcd(Path dir, TestPki pki, boolean clientCertificates) {
		int port = ServerProcess.freePort();
		int peer = ServerProcess.freePort();
		String client = "https://127.0.0.1:" + port;
		String name = "etcd-" + port;
		List<String> command = new ArrayList<>(List.of(ServerProcess.cached("debian/etcd/usr/bin/etcd").toString(),
				"--name", name, "--data-dir", dir.resolve(name).toString(), "--logger", "zap", "--listen-client-urls",
				client, "--advertise-client-urls", client, "--listen-peer-urls", "http://127.0.0.1:" + peer,
				"--initial-advertise-peer-urls", "http://127.0.0.1:" + peer, "--initial-cluster",
				name + "=http://127.0.0.1:" + peer, "--cert-file", pki.file("server.crt"), "--key-file",
				pki.file("server.key")));
		if (clientCertificates) {
			command.addAll(List.of("--client-cert-auth", "--trusted-ca-file", pki.file("ca.crt")));
		}
		ServerProcess process = ServerProcess.start(dir, name, command);
		awaitLog(process, "serving client traffic securely");
		return new Running(client, port, process);
	}

	/**
	 * A standalone ZooKeeper with only a TLS client port (Netty), its configuration written
	 * next to its data.
	 * @param clientCertificates whether clients must present a certificate of the authority
	 */
	public static Running zookeeper(Path dir, TestPki pki, boolean clientCertificates) {
		return zookeeper(dir, pki, clientCertificates, "server-localhost");
	}

	/**
	 * A standalone ZooKeeper with only a TLS client port (Netty) and the given certificate of
	 * the {@link TestPki}.
	 * @param certificate the name of the server certificate ({@code server-elsewhere}, ...)
	 */
	public static Running zookeeper(Path dir, TestPki pki, boolean clientCertificates, String certificate) {
		int port = ServerProcess.freePort();
		String name = "zookeeper-" + port;
		Path config = dir.resolve(name + ".cfg");
		write(config, List.of("tickTime=500", "minSessionTimeout=1000", "maxSessionTimeout=60000",
				"dataDir=" + dir.resolve(name), "secureClientPort=" + port, "secureClientPortAddress=127.0.0.1",
				"serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
				"ssl.keyStore.location=" + pki.file(certificate + ".p12"), "ssl.keyStore.password=" + TestPki.STORE_PASSWORD,
				"ssl.keyStore.type=PKCS12", "ssl.trustStore.location=" + pki.file("ca.crt"), "ssl.trustStore.type=PEM",
				"ssl.clientAuth=" + (clientCertificates ? "need" : "none"), "admin.enableServer=false",
				"extendedTypesEnabled=true", "forceSync=no"));
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ServerProcess process = ServerProcess.start(dir, name,
				List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
						ServerProcess.cached("zookeeper/lib") + "/*", "org.apache.zookeeper.server.ZooKeeperServerMain",
						config.toString()));
		awaitPort(process, port);
		return new Running("127.0.0.1:" + port, port, process);
	}

	/**
	 * A Consul dev agent serving HTTPS only, with ACLs on (default deny) and the given
	 * management token.
	 * @param clientCertificates whether clients must present a certificate ({@code verify_incoming})
	 */
	public static Running consul(Path dir, TestPki pki, boolean clientCertificates, String managementToken) {
		int https = ServerProcess.freePort();
		String name = "consul-" + https;
		Path config = dir.resolve(name + ".hcl");
		write(config, List.of("disable_update_check = true", "session_ttl_min = \"1s\"",
				"ports { http = -1, dns = -1, grpc = -1, https = " + https + ", serf_lan = " + ServerProcess.freePort()
						+ ", serf_wan = " + ServerProcess.freePort() + ", server = " + ServerProcess.freePort() + " }",
				"ca_file = \"" + pki.file("ca.crt") + "\"", "cert_file = \"" + pki.file("server.crt") + "\"",
				"key_file = \"" + pki.file("server.key") + "\"", "verify_incoming = " + clientCertificates,
				"acl { enabled = true, default_policy = \"deny\", tokens { master = \"" + managementToken + "\" } }"));
		ServerProcess process = ServerProcess.start(dir, name,
				List.of(ServerProcess.cached("debian/consul/usr/bin/consul").toString(), "agent", "-dev", "-node", name,
						"-bind", "127.0.0.1", "-client", "127.0.0.1", "-config-file", config.toString()));
		awaitPort(process, https);
		return new Running("https://127.0.0.1:" + https, https, process);
	}

	/** Wait until the server accepts TCP connections on the port. */
	public static void awaitPort(ServerProcess process, int port) {
		await().atMost(Timing.seconds(60)).pollInterval(java.time.Duration.ofMillis(100)).until(() -> {
			if (!process.isAlive()) {
				throw new AssertionError("The server exited:\n" + tail(process.log()));
			}
			try (java.net.Socket socket = new java.net.Socket()) {
				socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
				return true;
			}
			catch (IOException ex) {
				return false;
			}
		});
	}

	/** Wait until the server's log shows it is ready (it fails fast if the server exits). */
	public static void awaitLog(ServerProcess process, String ready) {
		await().atMost(Timing.seconds(60)).pollInterval(java.time.Duration.ofMillis(50)).until(() -> {
			if (!process.isAlive()) {
				throw new AssertionError("The server exited:\n" + tail(process.log()));
			}
			return process.log().contains(ready);
		});
	}

	private static String tail(String log) {
		List<String> lines = log.lines().toList();
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
	}

	static void write(Path file, List<String> lines) {
		try {
			Files.write(file, lines);
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
	}

	static String libraries(Path lib) {
		try (var dirs = Files.list(lib)) {
			return String.join(":", dirs.filter((d) -> d.getFileName().toString().contains("-linux-gnu"))
				.map(Path::toString)
				.toList());
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
	}

}
