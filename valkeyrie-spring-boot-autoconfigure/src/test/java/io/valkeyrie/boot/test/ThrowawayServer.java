package io.valkeyrie.boot.test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.valkeyrie.store.test.TestServers;

/**
 * A server of its own for a test that must change it (a password, authentication), started
 * from the cached binaries through {@code scripts/servers} on free ports and a data folder
 * under {@code target/}, so the shared test servers are never touched.
 */
public final class ThrowawayServer implements AutoCloseable {

	private final String name;

	private final Map<String, String> environment;

	private final int port;

	private ThrowawayServer(String name, Map<String, String> environment, int port) {
		this.name = name;
		this.environment = environment;
		this.port = port;
	}

	/**
	 * Start one server.
	 * @param name {@code redis} or {@code etcd}
	 * @return the running server
	 */
	public static ThrowawayServer start(String name) {
		String prefix = "VALKEYRIE_" + name.toUpperCase(Locale.ROOT);
		int port = freePort();
		Map<String, String> environment = new HashMap<>(Map.of(prefix + "_PORT", String.valueOf(port),
				"VALKEYRIE_SERVERS_RUN",
				Path.of("target", "throwaway-servers", UUID.randomUUID().toString()).toAbsolutePath().toString()));
		if (name.equals("etcd")) {
			environment.put("VALKEYRIE_ETCD_PEER_PORT", String.valueOf(freePort()));
		}
		ThrowawayServer server = new ThrowawayServer(name, environment, port);
		server.run("start");
		return server;
	}

	/** The port it listens on (127.0.0.1). */
	public int port() {
		return this.port;
	}

	@Override
	public void close() {
		run("stop");
	}

	private void run(String command) {
		TestServers.run(command, this.name, this.environment);
	}

	/** A port nothing listens on right now. */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new AssertionError("No free port", ex);
		}
	}

}
