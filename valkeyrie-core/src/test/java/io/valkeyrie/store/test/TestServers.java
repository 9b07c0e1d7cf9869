package io.valkeyrie.store.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the real servers of the test suite are, as {@code scripts/servers} exports them
 * ({@code VALKEYRIE_TEST_REDIS}, {@code VALKEYRIE_TEST_ETCD}, {@code VALKEYRIE_TEST_CONSUL},
 * {@code VALKEYRIE_TEST_ZOOKEEPER}; a system property {@code valkeyrie.test.<backend>} wins).
 * Point them at your own servers to run the suite against another version; the servers of
 * {@code scripts/versions} (other versions than the default ones) come from
 * {@link #versionEndpoint(String)}.
 * <p>
 * A test whose server is not configured or not reachable fails with a message that says how
 * to start it; it is never skipped, so a missing server can never pass unnoticed in CI.
 */
public final class TestServers {

	private TestServers() {
	}

	/**
	 * The endpoint of a backend's test server, checked to accept connections.
	 * @param backend {@code redis}, {@code etcd}, {@code consul} or {@code zookeeper}
	 * @return the endpoint as the backend's configuration takes it
	 */
	public static String endpoint(String backend) {
		return endpoint(backend, "scripts/servers");
	}

	/**
	 * The endpoint of a server of another version than the default, as {@code scripts/versions}
	 * exports it ({@code VALKEYRIE_TEST_REDIS_6_0} for {@code redis-6.0}), checked to accept
	 * connections.
	 * @param server the server's name in {@code scripts/versions}, e.g. {@code etcd-3.5}
	 * @return the endpoint as the backend's configuration takes it
	 */
	public static String versionEndpoint(String server) {
		return endpoint(server, "scripts/versions");
	}

	private static String endpoint(String name, String script) {
		String variable = "VALKEYRIE_TEST_" + name.toUpperCase(Locale.ROOT).replaceAll("[-.]", "_");
		String endpoint = System.getProperty("valkeyrie.test." + name, System.getenv(variable));
		if (endpoint == null || endpoint.isBlank()) {
			throw new AssertionError("No " + name + " test server: " + variable + " is not set. Run the tests with "
					+ "scripts/test (it starts every server), or start them with '" + script + " start' and "
					+ "'eval \"$(" + script + " env)\"', or point " + variable + " at your own " + name + ".");
		}
		assertAccepts(endpoint, name + " test server", variable, script + " start " + name);
		return endpoint;
	}

	/**
	 * Fail with a hint unless the endpoint accepts TCP connections.
	 * @param what what listens there, e.g. {@code etcd test server}
	 * @param variable the environment variable the endpoint came from
	 * @param start the command that starts it
	 */
	static void assertAccepts(String endpoint, String what, String variable, String start) {
		try (Socket socket = new Socket()) {
			socket.connect(address(endpoint), 2000);
		}
		catch (IOException ex) {
			throw new AssertionError("The " + what + " at " + endpoint + " (" + variable + ") does not accept connections: "
					+ ex.getMessage() + ". Start it with '" + start + "'.", ex);
		}
	}

	/** Stop a test server, keeping its data (for outage tests). */
	public static void stop(String backend) {
		run("stop", backend);
	}

	/** Start a stopped test server on its old data. */
	public static void start(String backend) {
		run("start", backend);
	}

	/** SIGKILL a test server (a crash), keeping its data; returns once it is gone. */
	public static void kill(String backend) {
		run("kill", backend);
	}

	/** Stop and start a test server, keeping its data. */
	public static void restart(String backend) {
		run("restart", backend);
	}

	private static void run(String command, String backend) {
		run(command, backend, Map.of());
	}

	/**
	 * Run {@code scripts/servers <command> <backend>} with extra environment, e.g. another
	 * port and data folder for a server of a test's own.
	 */
	public static void run(String command, String backend, Map<String, String> environment) {
		run(environment, command, backend);
	}

	/**
	 * Run {@code scripts/servers} with these arguments (a command, flags such as
	 * {@code --clean}, server names) and extra environment.
	 */
	public static void run(Map<String, String> environment, String... arguments) {
		String script = System.getProperty("valkeyrie.servers.script", System.getenv("VALKEYRIE_SERVERS_SCRIPT"));
		String call = String.join(" ", arguments);
		if (script == null) {
			throw new AssertionError("VALKEYRIE_SERVERS_SCRIPT is not set: this test runs 'scripts/servers " + call
					+ "'; run it with scripts/test, or set it after 'eval \"$(scripts/servers env)\"'");
		}
		try {
			List<String> command = new ArrayList<>(List.of("bash", script));
			command.addAll(List.of(arguments));
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
			builder.environment().putAll(environment);
			Process process = builder.start();
			byte[] output = process.getInputStream().readAllBytes();
			if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new AssertionError("'" + script + " " + call + "' failed:\n" + new String(output, StandardCharsets.UTF_8));
			}
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot run " + script, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while running " + script, ex);
		}
	}

	/** The host and port of (the first of) {@code endpoint}. */
	public static InetSocketAddress address(String endpoint) {
		String first = endpoint.split(",")[0].trim();
		if (first.contains("://")) {
			URI uri = URI.create(first);
			return new InetSocketAddress(uri.getHost(), uri.getPort());
		}
		int colon = first.lastIndexOf(':');
		return new InetSocketAddress(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
	}

}
