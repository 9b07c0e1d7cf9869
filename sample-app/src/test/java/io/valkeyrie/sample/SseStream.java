package io.valkeyrie.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * One subscriber of {@code /api/events} over a plain JDK HTTP connection: parses the
 * server-sent events on its own thread into a queue. {@link #close()} drops the connection,
 * as a browser tab that goes away does.
 */
final class SseStream implements AutoCloseable {

	static final Duration WAIT = Duration.ofSeconds(30);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

	private final InputStream body;

	private volatile @Nullable Throwable failure;

	private SseStream(InputStream body) {
		this.body = body;
		Thread reader = new Thread(this::parse, "sse-reader");
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Subscribe and wait for the {@code ready} event.
	 * @param client the client of the running sample
	 * @param lastEventId the {@code Last-Event-ID} to resume from, or {@code null}
	 * @return the open stream
	 */
	static SseStream open(SampleClient client, @Nullable String lastEventId) throws Exception {
		HttpRequest.Builder request = client.request("/api/events").timeout(Duration.ofMinutes(5))
			.header("Accept", "text/event-stream");
		if (lastEventId != null) {
			request.header("Last-Event-ID", lastEventId);
		}
		HttpResponse<InputStream> response = client.http().send(request.GET().build(), BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/event-stream"));
		SseStream stream = new SseStream(response.body());
		Event ready = stream.next((event) -> true);
		assertThat(ready.name()).isEqualTo("ready");
		assertThat(ready.data().get("instance").asString()).isNotBlank();
		return stream;
	}

	/**
	 * Subscribe on a plain socket, which a test can reset (a crashed browser, a dropped link);
	 * returns once the stream has begun.
	 * @param port the port of the running sample
	 * @return the connected socket, its response unread after the status line
	 */
	static Socket openRaw(int port) throws IOException {
		Socket socket = new Socket("127.0.0.1", port);
		socket.setSoTimeout((int) WAIT.toMillis());
		socket.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: localhost\r\n"
				+ "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
		String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
		assertThat(head).isEqualTo("HTTP/1.1 200");
		return socket;
	}

	/** The next event that matches, skipping others (the leader job's writes, for one). */
	Event next(Predicate<Event> wanted) {
		long deadline = System.nanoTime() + WAIT.toNanos();
		try {
			while (true) {
				Event event = this.events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				if (event == null) {
					return fail("No matching server-sent event within " + WAIT.toSeconds() + " s"
							+ ((this.failure != null) ? "; the stream failed: " + this.failure : ""));
				}
				if (wanted.test(event)) {
					return event;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return fail("Interrupted");
		}
	}

	/** Every event up to and including the first that matches {@code last}, in order. */
	List<Event> until(Predicate<Event> last) {
		List<Event> seen = new ArrayList<>();
		Event event;
		do {
			event = next((candidate) -> true);
			seen.add(event);
		}
		while (!last.test(event));
		return seen;
	}

	/** Drop the connection. */
	@Override
	public void close() throws IOException {
		this.body.close();
	}

	/** Server-sent events: "event:", "id:" and "data:" lines, a blank line ends an event; comments are skipped. */
	private void parse() {
		try (BufferedReader lines = new BufferedReader(new InputStreamReader(this.body, StandardCharsets.UTF_8))) {
			String name = "message";
			String id = null;
			StringBuilder data = new StringBuilder();
			String line;
			while ((line = lines.readLine()) != null) {
				if (line.isEmpty()) {
					if (!data.isEmpty()) {
						this.events.add(new Event(name, id, JSON.readTree(data.toString())));
					}
					name = "message";
					id = null;
					data.setLength(0);
				}
				else if (line.startsWith("event:")) {
					name = line.substring(6).trim();
				}
				else if (line.startsWith("id:")) {
					id = line.substring(3).trim();
				}
				else if (line.startsWith("data:")) {
					data.append(line.substring(5));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// Closed by close(), or the server went away: next() reports it when it runs dry.
			this.failure = ex;
		}
	}

	/**
	 * One server-sent event.
	 *
	 * @param name the event name
	 * @param id its id, or {@code null} if it has none
	 * @param data its data, parsed as JSON
	 */
	record Event(String name, @Nullable String id, JsonNode data) {

		/** The {@code key} of the data, or {@code null}. */
		@Nullable String key() {
			JsonNode key = this.data.get("key");
			return (key != null && !key.isNull()) ? key.asString() : null;
		}

		boolean isChangeOf(String keyPrefix) {
			String key = key();
			return this.name.equals("change") && key != null && key.startsWith(keyPrefix);
		}

	}

}
