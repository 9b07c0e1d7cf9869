package io.valkeyrie.store.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LockClient} JVM started by the test: its standard output is followed line by line,
 * its signals are real ({@code kill -STOP}, {@code -CONT}, {@code -KILL}).
 */
final class ClientProcess implements AutoCloseable {

	private final String name;

	private final Path log;

	private final Process process;

	private final PrintStream in;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private ClientProcess(String name, Path log, Process process) {
		this.name = name;
		this.log = log;
		this.process = process;
		this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
		Thread reader = new Thread(this::follow, "follow-" + name);
		reader.setDaemon(true);
		reader.start();
	}

	/** Start a client; {@code arguments} are {@link LockClient}'s after the log file. */
	static ClientProcess start(String name, Path log, List<String> head, List<String> tail) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// Small and quick to start: three of these share two cores with the build.
		command.addAll(List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
				System.getProperty("java.class.path"), LockClient.class.getName()));
		command.addAll(head);
		command.add(log.toString());
		command.addAll(tail);
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		return new ClientProcess(name, log, process);
	}

	private void follow() {
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = out.readLine(); line != null; line = out.readLine()) {
				this.lines.add(line);
			}
		}
		catch (IOException ex) {
			// The process ended or was killed: nothing more to follow.
		}
	}

	String name() {
		return this.name;
	}

	Path log() {
		return this.log;
	}

	/**
	 * The next output line starting with {@code event}, skipping others.
	 * @throws AssertionError if none comes within {@code timeout}
	 */
	String await(String event, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
			String line = this.lines.poll(left, TimeUnit.NANOSECONDS);
			if (line != null && line.startsWith(event + " ")) {
				return line;
			}
		}
		throw new AssertionError("client " + this.name + " printed no " + event + " within " + timeout
				+ (this.process.isAlive() ? "" : " (it exited with " + this.process.exitValue() + ")"));
	}

	void send(String line) {
		this.in.println(line);
	}

	/** Send a signal with {@code kill} and return the monotonic time right after it was sent. */
	long signal(String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(this.process.pid())).start();
		if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
			throw new AssertionError("kill -" + signal + " " + this.name + " failed");
		}
		return System.nanoTime();
	}

	/** Wait for the client to end by itself; fails unless it did, with exit code 0. */
	void awaitExit(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("client " + this.name + " still running after " + timeout);
		}
		if (this.process.exitValue() != 0) {
			throw new AssertionError("client " + this.name + " exited with " + this.process.exitValue());
		}
	}

	void awaitDeath(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("client " + this.name + " still alive " + timeout + " after SIGKILL");
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
	}

}
