package io.valkeyrie.sample;

import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The live feed over real HTTP: a client reads {@code /api/events} while other requests
 * write, and sees each change arrive as a server-sent event.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, SampleApiTests.SELENIUM_QUIET })
class SampleFeedTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	SampleClient client;

	/** The events of the stream as "name data" lines, in arrival order. */
	final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();

	CompletableFuture<HttpResponse<Stream<String>>> stream;

	@BeforeEach
	void subscribe() throws Exception {
		this.client = new SampleClient(this.port);
		this.stream = this.client.http()
			.sendAsync(this.client.request("/api/events").timeout(Duration.ofMinutes(5)).header("Accept",
					"text/event-stream").GET().build(), BodyHandlers.ofLines());
		HttpResponse<Stream<String>> response = this.stream.get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/event-stream"));
		Thread reader = new Thread(() -> parse(response.body()), "sse-reader");
		reader.setDaemon(true);
		reader.start();
		SseEvent ready = next((event) -> true);
		assertThat(ready.name()).isEqualTo("ready");
		assertThat(ready.data().get("instance").asString()).isNotBlank();
	}

	@AfterEach
	void unsubscribe() {
		this.stream.thenAccept((response) -> response.body().close());
	}

	@Test
	void putsAndDeletesArriveAsChangeEvents() {
		this.client.put("/api/kv/feed/a", "one");
		SseEvent put = next((event) -> "feed/a".equals(key(event)));
		assertThat(put.name()).isEqualTo("change");
		assertThat(put.data().get("type").asString()).isEqualTo("put");
		assertThat(put.data().get("value").asString()).isEqualTo("one");
		long index = SampleClient.json(this.client.get("/api/kv/feed/a")).get("index").asLong();
		assertThat(put.data().get("index").asLong()).isEqualTo(index);

		this.client.delete("/api/kv/feed/a");
		SseEvent delete = next((event) -> "feed/a".equals(key(event)));
		assertThat(delete.data().get("type").asString()).isEqualTo("delete");
		assertThat(delete.data().get("index").asLong()).isGreaterThanOrEqualTo(index);
	}

	@Test
	void changesArriveInOrder() {
		List<String> values = List.of("1", "2", "3", "4", "5");
		values.forEach((value) -> this.client.put("/api/kv/feed/order", value));
		for (String value : values) {
			SseEvent event = next((candidate) -> "feed/order".equals(key(candidate)));
			assertThat(event.data().get("value").asString()).isEqualTo(value);
		}
	}

	@Test
	void aKeyThatExpiresArrivesAsADelete() {
		this.client.put("/api/kv/feed/ttl?ttl=1s", "short");
		assertThat(next((event) -> "feed/ttl".equals(key(event))).data().get("type").asString()).isEqualTo("put");
		assertThat(next((event) -> "feed/ttl".equals(key(event))).data().get("type").asString())
			.isEqualTo("delete");
	}

	private static String key(SseEvent event) {
		JsonNode key = event.data().get("key");
		return (key != null) ? key.asString() : null;
	}

	/** The next event that matches, skipping others (the leader job's writes, for one). */
	private SseEvent next(java.util.function.Predicate<SseEvent> wanted) {
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		try {
			while (true) {
				SseEvent event = this.events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				if (event == null) {
					return fail("No matching server-sent event within 15 s");
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

	/** Server-sent events: "event:" and "data:" lines, a blank line ends an event; comments are skipped. */
	private void parse(Stream<String> lines) {
		String[] name = { "message" };
		StringBuilder data = new StringBuilder();
		lines.forEach((line) -> {
			if (line.isEmpty()) {
				if (!data.isEmpty()) {
					this.events.add(new SseEvent(name[0], JSON.readTree(data.toString())));
				}
				name[0] = "message";
				data.setLength(0);
			}
			else if (line.startsWith("event:")) {
				name[0] = line.substring(6).trim();
			}
			else if (line.startsWith("data:")) {
				data.append(line.substring(5));
			}
		});
	}

	record SseEvent(String name, JsonNode data) {
	}

}
