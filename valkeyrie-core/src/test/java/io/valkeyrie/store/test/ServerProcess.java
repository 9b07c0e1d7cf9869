package io.valkeyrie.store.test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server of a test's own, run from the binaries {@code scripts/servers} caches
 * ({@code ~/.cache/valkeyrie-servers}, or {@code VALKEYRIE_SERVERS_CACHE}) with a
 * configuration the shared servers cannot have (TLS, authentication). Its output goes to a
 * log file in the test's folder; {@link #close()} stops it.
 */
public final class ServerProcess implements AutoCloseable {

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

	/** A port nothing listens on right now. */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new AssertionError("No free port", ex);
		}
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
