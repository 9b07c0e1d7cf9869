package io.valkeyrie.store.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A plain server of a test's own, started from the binaries of {@code scripts/servers} on
 * free loopback ports, that the test can restart without its data: Redis without
 * persistence, a Consul {@code -dev} agent, etcd and ZooKeeper on a data directory that is
 * deleted before the restart. Never one of the shared servers.
 */
public final class WipeableServer implements AutoCloseable {

	private final Path dir;

	private final String backend;

	private final int port;

	private final Function<WipeableServer, ServerProcess> starter;

	private ServerProcess process;

	private WipeableServer(Path dir, String backend, Function<WipeableServer, ServerProcess> starter) {
		this.dir = dir;
		this.backend = backend;
		this.port = ServerProcess.freePort();
		this.starter = starter;
		this.process = starter.apply(this);
	}

	/** Start a server of {@code backend} (redis, etcd, consul, zookeeper) with its files in {@code dir}. */
	public static WipeableServer start(String backend, Path dir) {
		return switch (backend) {
			case "redis" -> new WipeableServer(dir, backend, WipeableServer::redis);
			case "etcd" -> new WipeableServer(dir, backend, WipeableServer::etcd);
			case "consul" -> new WipeableServer(dir, backend, WipeableServer::consul);
			case "zookeeper" -> new WipeableServer(dir, backend, WipeableServer::zookeeper);
			default -> throw new IllegalArgumentException("No wipeable " + backend + " server");
		};
	}

	/** The endpoint a store of the backend uses. */
	public String endpoint() {
		return switch (this.backend) {
			case "redis" -> "redis://127.0.0.1:" + this.port;
			case "zookeeper" -> "127.0.0.1:" + this.port;
			default -> "http://127.0.0.1:" + this.port;
		};
	}

	/** Stop the server, delete everything it stored, and start it again on the same port. */
	public void wipeAndRestart() {
		this.process.close();
		deleteData();
		this.process = this.starter.apply(this);
	}

	@Override
	public void close() {
		this.process.close();
	}

	private Path data() {
		return this.dir.resolve(this.backend + "-" + this.port + "-data");
	}

	private void deleteData() {
		if (!Files.exists(data())) {
			return;
		}
		try (Stream<Path> files = Files.walk(data())) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot wipe " + data(), ex);
		}
	}

	private static ServerProcess redis(WipeableServer server) {
		Path config = server.dir.resolve("redis-" + server.port + ".conf");
		SecureServers.write(config, List.of("bind 127.0.0.1", "port " + server.port, "save \"\"", "appendonly no",
				"dir " + server.dir));
		Path root = ServerProcess.cached("debian/redis");
		ServerProcess process = ServerProcess.start(server.dir, "redis-" + server.port,
				List.of("env", "LD_LIBRARY_PATH=" + SecureServers.libraries(root.resolve("usr/lib")),
						root.resolve("usr/bin/redis-server").toString(), config.toString()));
		SecureServers.awaitPort(process, server.port);
		return process;
	}

	private static ServerProcess etcd(WipeableServer server) {
		String client = "http://127.0.0.1:" + server.port;
		String peer = "http://127.0.0.1:" + server.peerPort();
		String name = "etcd-" + server.port;
		ServerProcess process = ServerProcess.start(server.dir, name,
				List.of(ServerProcess.cached("debian/etcd/usr/bin/etcd").toString(), "--name", name, "--data-dir",
						server.data().toString(), "--logger", "zap", "--listen-client-urls", client, "--advertise-client-urls",
						client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster",
						name + "=" + peer));
		SecureServers.awaitPort(process, server.port);
		return process;
	}

	private static ServerProcess zookeeper(WipeableServer server) {
		String name = "zookeeper-" + server.port;
		Path config = server.dir.resolve(name + ".cfg");
		SecureServers.write(config, List.of("tickTime=500", "minSessionTimeout=1000", "maxSessionTimeout=60000",
				"dataDir=" + server.data(), "clientPort=" + server.port, "clientPortAddress=127.0.0.1",
				"admin.enableServer=false", "extendedTypesEnabled=true", "forceSync=no"));
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ServerProcess process = ServerProcess.start(server.dir, name,
				List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
						ServerProcess.cached("zookeeper/lib") + "/*", "org.apache.zookeeper.server.ZooKeeperServerMain",
						config.toString()));
		SecureServers.awaitPort(process, server.port);
		return process;
	}

	private static ServerProcess consul(WipeableServer server) {
		String name = "consul-" + server.port;
		Path config = server.dir.resolve(name + ".hcl");
		SecureServers.write(config, List.of("disable_update_check = true", "session_ttl_min = \"1s\"",
				"ports { http = " + server.port + ", dns = -1, grpc = -1, serf_lan = " + server.extraPort(1) + ", serf_wan = "
						+ server.extraPort(2) + ", server = " + server.extraPort(3) + " }"));
		ServerProcess process = ServerProcess.start(server.dir, name,
				List.of(ServerProcess.cached("debian/consul/usr/bin/consul").toString(), "agent", "-dev", "-node", name,
						"-bind", "127.0.0.1", "-client", "127.0.0.1", "-config-file", config.toString()));
		SecureServers.awaitPort(process, server.port);
		return process;
	}

	private final int[] extra = new int[4];

	/** Further ports of the server, chosen once so a restart gets the same ones. */
	private synchronized int extraPort(int index) {
		if (this.extra[index] == 0) {
			this.extra[index] = ServerProcess.freePort();
		}
		return this.extra[index];
	}

	private int peerPort() {
		return extraPort(0);
	}

}
