package io.valkeyrie.store.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A server of a test's own that the test may crash, wipe or reconfigure: started by
 * {@code scripts/servers} on free ports and its own run folder under
 * {@code target/crashable-servers/}, in its persistent mode ({@code VALKEYRIE_SERVERS_PERSIST=1}:
 * Redis with an fsynced append-only file, Consul a 1-server agent with a data folder, etcd and
 * ZooKeeper as always), so an acknowledged write must survive {@link #kill()} and
 * {@link #start()}, and only {@link #wipeAndRestart()} loses it. The shared test servers are
 * never touched.
 */
public final class CrashableServer implements AutoCloseable {

	private final String backend;

	private final Map<String, String> environment;

	private final String endpoint;

	private CrashableServer(String backend, Map<String, String> environment, String endpoint) {
		this.backend = backend;
		this.environment = environment;
		this.endpoint = endpoint;
	}

	/**
	 * Start a fresh server and wait until it serves requests.
	 * @param backend {@code redis}, {@code etcd}, {@code consul} or {@code zookeeper}
	 * @return the running server
	 */
	public static CrashableServer start(String backend) {
		Map<String, String> environment = new HashMap<>();
		environment.put("VALKEYRIE_SERVERS_PERSIST", "1");
		environment.put("VALKEYRIE_SERVERS_RUN",
				Path.of("target", "crashable-servers", UUID.randomUUID().toString()).toAbsolutePath().toString());
		int port = ServerProcess.freePort();
		String endpoint = switch (backend) {
			case "redis" -> "redis://127.0.0.1:" + port;
			case "etcd", "consul" -> "http://127.0.0.1:" + port;
			case "zookeeper" -> "127.0.0.1:" + port;
			default -> throw new IllegalArgumentException("'backend' must be redis, etcd, consul or zookeeper: " + backend);
		};
		environment.put("VALKEYRIE_" + backend.toUpperCase(Locale.ROOT) + "_PORT", String.valueOf(port));
		// Every other port of the server free too, not the defaults the shared servers use.
		List<String> others = switch (backend) {
			case "etcd" -> List.of("ETCD_PEER");
			case "consul" -> List.of("CONSUL_SERVER", "CONSUL_SERF_LAN", "CONSUL_SERF_WAN", "CONSUL_GRPC", "CONSUL_DNS");
			default -> List.of();
		};
		others.forEach((name) -> environment.put("VALKEYRIE_" + name + "_PORT", String.valueOf(ServerProcess.freePort())));
		CrashableServer server = new CrashableServer(backend, environment, endpoint);
		server.run("start");
		return server;
	}

	/** The endpoint as the backend's configuration takes it. */
	public String endpoint() {
		return this.endpoint;
	}

	/** The port it serves clients on (127.0.0.1). */
	public int port() {
		return TestServers.address(this.endpoint).getPort();
	}

	/** SIGKILL the server (a crash) and wait until it is gone; its data stays. */
	public void kill() {
		run("kill");
	}

	/** Start the killed server on its data and wait until it serves requests again. */
	public void start() {
		run("start");
	}

	/**
	 * Stop the server, delete everything it stored, and start it again on the same ports: a
	 * server that lost its data.
	 */
	public void wipeAndRestart() {
		run("restart", "--clean");
	}

	/** The server's log so far, for assertion messages. */
	public String log() {
		try {
			return Files.readString(folder().resolve(this.backend + ".log"));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	/** Stop the server and delete its data; the log stays in {@code target/} for a post-mortem. */
	@Override
	public void close() {
		run("stop", "--clean");
	}

	private Path folder() {
		return Path.of(this.environment.get("VALKEYRIE_SERVERS_RUN"), this.backend);
	}

	private void run(String... arguments) {
		List<String> call = new ArrayList<>(List.of(arguments));
		call.add(this.backend);
		TestServers.run(this.environment, call.toArray(String[]::new));
	}

}
