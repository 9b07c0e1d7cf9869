package io.valkeyrie.store.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A server of a test's own, run from the binaries {@code scripts/servers} caches
 * ({@code ~/.cache/valkeyrie-servers}, or {@code VALKEYRIE_SERVERS_CACHE}) with a
 * configuration the shared servers cannot have (TLS, authentication). Its output goes to a
 * log file in the test's folder; {@link #close()} stops it.
 */
public final class ServerProcess implements AutoCloseable {

	private static final int FREE_PORT_FROM = 20_000;

	private static final int FREE_PORT_COUNT = 10_000;

	private static final int FREE_PORT_ATTEMPTS = 200;

	private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

	private final Process process;

	private final Path log;

	private ServerProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	/** Start a command in {@code dir}, its output in {@code dir/<name>.log}. */
	public static ServerProcess start(Path dir, String name, List<String> command) {
		Path log = dir.resolve(name + ".log");
		try {
			Process process = new ProcessBuilder(command).directory(dir.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			return new ServerProcess(process, log);
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot start " + command, ex);
		}
	}

	/**
	 * A cached file of a server package, checked to exist.
	 * @param path under the cache, e.g. {@code debian/etcd/usr/bin/etcd}
	 */
	public static Path cached(String path) {
		String cache = System.getenv().getOrDefault("VALKEYRIE_SERVERS_CACHE",
				System.getProperty("user.home") + "/.cache/valkeyrie-servers");
		Path file = Path.of(cache).resolve(path);
		if (!Files.exists(file)) {
			throw new AssertionError(file + " is missing: run 'scripts/servers fetch'");
		}
		return file;
	}

	/**
	 * A port nothing listens on right now, for a server started next. It is taken below the
	 * ephemeral range (32768–60999 on Linux), where an outgoing connection of this or another
	 * process could take it before the server binds it (seen under load: a Consul test server's
	 * port was in use by the time it started), at random so that test JVMs running side by side
	 * rarely try the same one, and never twice in one JVM.
	 */
	public static int freePort() {
		for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
			int port = FREE_PORT_FROM + ThreadLocalRandom.current().nextInt(FREE_PORT_COUNT);
			if (!HANDED_OUT.add(port)) {
				continue;
			}
			try (ServerSocket socket = new ServerSocket()) {
				socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
				return port;
			}
			catch (IOException ex) {
				// In use: try another.
			}
		}
		throw new AssertionError("No free port in " + FREE_PORT_FROM + "-" + (FREE_PORT_FROM + FREE_PORT_COUNT - 1) + " after "
				+ FREE_PORT_ATTEMPTS + " tries");
	}

	/** The server's output so far, for assertion messages. */
	public String log() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	/** Whether the server process still runs. */
	public boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
