package io.valkeyrie.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import io.valkeyrie.store.Store;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The REST API, its errors and actuator, on the running app (local backend, in memory).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, SampleApiTests.SELENIUM_QUIET })
class SampleApiTests {

	/**
	 * The tests' store lives in memory: nothing left behind under target/. (Also quiets
	 * Selenium's notice that it has no DevTools binding for this Chromium: the browser test
	 * uses WebDriver only. One set of properties for every test class, so they share one context.)
	 */
	static final String IN_MEMORY = "valkeyrie.local.path=";

	static final String SELENIUM_QUIET = "logging.level.org.openqa.selenium=error";

	@LocalServerPort
	int port;

	@Autowired
	Store store;

	SampleClient client;

	@BeforeEach
	void client() {
		this.client = new SampleClient(this.port);
	}

	@Test
	void putThenGetGivesValueIndexAndEtag() {
		assertThat(this.client.put("/api/kv/api/put/a", "hello").statusCode()).isEqualTo(204);
		HttpResponse<String> response = this.client.get("/api/kv/api/put/a");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = SampleClient.json(response);
		assertThat(body.get("key").asString()).isEqualTo("api/put/a");
		assertThat(body.get("value").asString()).isEqualTo("hello");
		long index = body.get("index").asLong();
		assertThat(index).isEqualTo(this.store.get("api/put/a").lastIndex());
		assertThat(response.headers().firstValue("ETag")).hasValue("\"" + index + "\"");
	}

	@Test
	void putWithTtlExpires() {
		assertThat(this.client.put("/api/kv/api/ttl?ttl=1s", "soon gone").statusCode()).isEqualTo(204);
		assertThat(this.client.get("/api/kv/api/ttl").statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(
				() -> assertThat(this.client.get("/api/kv/api/ttl").statusCode()).isEqualTo(404));
	}

	@Test
	void compareAndSetWithTheCurrentIndexSucceedsAndWithAnOldOneGives412() {
		this.client.put("/api/kv/api/cas", "v1");
		String etag = this.client.get("/api/kv/api/cas").headers().firstValue("ETag").orElseThrow();

		HttpResponse<String> updated = this.client.put("/api/kv/api/cas", "v2", "If-Match", etag);
		assertThat(updated.statusCode()).isEqualTo(200);
		String newEtag = updated.headers().firstValue("ETag").orElseThrow();
		assertThat(newEtag).isNotEqualTo(etag);
		assertThat(SampleClient.json(updated).get("value").asString()).isEqualTo("v2");

		HttpResponse<String> conflict = this.client.put("/api/kv/api/cas", "v3", "If-Match", etag);
		assertProblem(conflict, 412, "Key modified", "KeyModifiedException");
		assertThat(this.store.get("api/cas").valueAsString()).isEqualTo("v2");

		// An unquoted index works too.
		assertThat(this.client.put("/api/kv/api/cas", "v3", "If-Match", newEtag.replace("\"", "")).statusCode())
			.isEqualTo(200);
	}

	@Test
	void createOnlyWithIfNoneMatchGives201ThenOn412() {
		HttpResponse<String> created = this.client.put("/api/kv/api/create", "first", "If-None-Match", "*");
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.headers().firstValue("Location")).hasValue("/api/kv/api/create");
		assertThat(created.headers().firstValue("ETag")).isPresent();
		assertProblem(this.client.put("/api/kv/api/create", "second", "If-None-Match", "*"), 412, "Key exists",
				"KeyExistsException");
		assertThat(this.store.get("api/create").valueAsString()).isEqualTo("first");
	}

	@Test
	void deleteWithAnOldIndexGives412AndWithTheCurrentOneDeletes() {
		this.client.put("/api/kv/api/del", "v1");
		String old = this.client.get("/api/kv/api/del").headers().firstValue("ETag").orElseThrow();
		this.client.put("/api/kv/api/del", "v2");
		assertProblem(this.client.delete("/api/kv/api/del", "If-Match", old), 412, "Key modified",
				"KeyModifiedException");
		String current = this.client.get("/api/kv/api/del").headers().firstValue("ETag").orElseThrow();
		assertThat(this.client.delete("/api/kv/api/del", "If-Match", current).statusCode()).isEqualTo(204);
		assertThat(this.store.exists("api/del")).isFalse();
	}

	@Test
	void deleteRemovesTheKeyThenGives404() {
		this.client.put("/api/kv/api/gone", "x");
		assertThat(this.client.delete("/api/kv/api/gone").statusCode()).isEqualTo(204);
		assertProblem(this.client.delete("/api/kv/api/gone"), 404, "Key not found", "KeyNotFoundException");
	}

	@Test
	void listGivesEveryKeyBelowTheDirectorySorted() {
		this.client.put("/api/kv/api/list/b", "2");
		this.client.put("/api/kv/api/list/a/deep", "1");
		this.client.put("/api/kv/api/listing", "not below");
		HttpResponse<String> response = this.client.get("/api/list/api/list");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode list = SampleClient.json(response);
		assertThat(list.valueStream().map((pair) -> pair.get("key").asString()))
			.containsExactly("api/list/a/deep", "api/list/b");
		assertThat(list.get(1).get("value").asString()).isEqualTo("2");

		JsonNode root = SampleClient.json(this.client.get("/api/list/"));
		assertThat(root.valueStream().map((pair) -> pair.get("key").asString())).contains("api/list/b",
				"api/listing");
	}

	@Test
	void listOfAnUnknownDirectoryGives404() {
		assertProblem(this.client.get("/api/list/api/no/such/dir"), 404, "Key not found", "KeyNotFoundException");
	}

	@Test
	void getOfAnAbsentKeyGives404() {
		assertProblem(this.client.get("/api/kv/api/absent"), 404, "Key not found", "KeyNotFoundException");
	}

	@Test
	void invalidKeyGives400NamingTheKey() {
		HttpResponse<String> response = this.client.put("/api/kv/api//empty-segment", "x");
		assertProblem(response, 400, "Invalid key", "InvalidKeyException");
		// The key as the user wrote it after /api/kv/, not with the path's own slash in front.
		assertThat(SampleClient.json(response).get("key").asString()).isEqualTo("api//empty-segment");
		assertThat(SampleClient.json(response).get("detail").asString()).contains("'api//empty-segment'");
		assertProblem(this.client.get("/api/kv/"), 400, "Invalid key", "InvalidKeyException");
	}

	@Test
	void badTtlGives400() {
		assertProblem(this.client.put("/api/kv/api/bad-ttl?ttl=soon", "x"), 400, "Bad request", null);
		assertProblem(this.client.put("/api/kv/api/bad-ttl?ttl=0s", "x"), 400, "Bad request", null);
		assertThat(this.store.exists("api/bad-ttl")).isFalse();
	}

	@Test
	void aTtlWithoutAUnitIsRefusedNotTakenAsMilliseconds() {
		HttpResponse<String> response = this.client.put("/api/kv/api/ttl-unit?ttl=10", "x");
		assertProblem(response, 400, "Bad request", null);
		assertThat(SampleClient.json(response).get("detail").asString()).contains("unit").contains("'10'");
		assertThat(this.store.exists("api/ttl-unit")).isFalse();
	}

	@Test
	void ifMatchWithAWeakEtagNeverMatches() {
		this.client.put("/api/kv/api/weak", "v1");
		String etag = this.client.get("/api/kv/api/weak").headers().firstValue("ETag").orElseThrow();
		assertProblem(this.client.put("/api/kv/api/weak", "v2", "If-Match", "W/" + etag), 412, "Precondition failed",
				null);
		assertProblem(this.client.delete("/api/kv/api/weak", "If-Match", "W/" + etag), 412, "Precondition failed",
				null);
		assertThat(this.store.get("api/weak").valueAsString()).isEqualTo("v1");
	}

	@Test
	void ifMatchStarMeansTheKeyExists() {
		assertProblem(this.client.put("/api/kv/api/star", "v1", "If-Match", "*"), 412, "Key not found",
				"KeyNotFoundException");
		assertThat(this.store.exists("api/star")).isFalse();
		this.client.put("/api/kv/api/star", "v1");
		HttpResponse<String> updated = this.client.put("/api/kv/api/star", "v2", "If-Match", "*");
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(SampleClient.json(updated).get("value").asString()).isEqualTo("v2");
		assertThat(this.client.delete("/api/kv/api/star", "If-Match", "*").statusCode()).isEqualTo(204);
		assertProblem(this.client.delete("/api/kv/api/star", "If-Match", "*"), 412, "Key not found",
				"KeyNotFoundException");
	}

	@Test
	void ifMatchOfAKeyThatIsGoneGives412NotA404() {
		this.client.put("/api/kv/api/gone-cas", "v1");
		String etag = this.client.get("/api/kv/api/gone-cas").headers().firstValue("ETag").orElseThrow();
		this.client.delete("/api/kv/api/gone-cas");
		assertProblem(this.client.put("/api/kv/api/gone-cas", "v2", "If-Match", etag), 412, "Key not found",
				"KeyNotFoundException");
		assertProblem(this.client.delete("/api/kv/api/gone-cas", "If-Match", etag), 412, "Key not found",
				"KeyNotFoundException");
		assertThat(this.store.exists("api/gone-cas")).isFalse();
	}

	@Test
	void ifMatchWithAListOfEtagsMatchesAnyOfThem() {
		this.client.put("/api/kv/api/list-etag", "v1");
		String etag = this.client.get("/api/kv/api/list-etag").headers().firstValue("ETag").orElseThrow();
		assertThat(this.client.put("/api/kv/api/list-etag", "v2", "If-Match", "\"1\", " + etag).statusCode())
			.isEqualTo(200);
		assertProblem(this.client.put("/api/kv/api/list-etag", "v3", "If-Match", "\"1\", " + etag), 412,
				"Key modified", "KeyModifiedException");
	}

	@Test
	void anEncodedSlashInAKeyGetsAProblemNamingTheKey() {
		for (HttpResponse<String> response : List.of(this.client.get("/api/kv/api/a%2Fb"),
				this.client.put("/api/kv/api/a%2fb", "x"), this.client.get("/api/list/api/a%2Fb"))) {
			assertProblem(response, 400, "Invalid key", "InvalidKeyException");
			assertThat(SampleClient.json(response).get("detail").asString()).containsIgnoringCase("a%2Fb");
		}
		assertThat(this.store.exists("api/a/b")).isFalse();
	}

	@Test
	void aNulInAKeyGetsAProblemNamingTheKey() {
		HttpResponse<String> response = this.client.put("/api/kv/api/nul%00here", "x");
		assertProblem(response, 400, "Invalid key", "InvalidKeyException");
		assertThat(SampleClient.json(response).get("detail").asString()).contains("api/nul%00here");
	}

	@Test
	void binaryValuesAreBytesInAndOutAndBase64InJson() {
		byte[] binary = { 0, 1, (byte) 0xff, (byte) 0x80, 'a', '\n' };
		assertThat(this.client.put("/api/kv/api/binary", binary, "Content-Type", "application/octet-stream")
			.statusCode()).isEqualTo(204);
		assertThat(this.store.get("api/binary").value()).isEqualTo(binary);

		HttpResponse<byte[]> raw = this.client.getBytes("/api/kv/api/binary", "Accept", "application/octet-stream");
		assertThat(raw.statusCode()).isEqualTo(200);
		assertThat(raw.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
		assertThat(raw.body()).isEqualTo(binary);
		assertThat(raw.headers().firstValue("ETag")).hasValue("\"" + this.store.get("api/binary").lastIndex() + "\"");

		JsonNode json = SampleClient.json(this.client.get("/api/kv/api/binary"));
		assertThat(json.get("encoding").asString()).isEqualTo("base64");
		assertThat(Base64.getDecoder().decode(json.get("value").asString())).isEqualTo(binary);

		this.client.put("/api/kv/api/text", "grüß dich");
		JsonNode text = SampleClient.json(this.client.get("/api/kv/api/text"));
		assertThat(text.get("encoding").asString()).isEqualTo("utf-8");
		assertThat(text.get("value").asString()).isEqualTo("grüß dich");
		assertThat(this.client.getBytes("/api/kv/api/text", "Accept", "application/octet-stream").body())
			.isEqualTo("grüß dich".getBytes(StandardCharsets.UTF_8));
		// An error is still a problem detail, whatever the client asked for.
		assertProblem(this.client.get("/api/kv/api/no-bytes", "Accept", "application/octet-stream"), 404,
				"Key not found", "KeyNotFoundException");
		// A browser's Accept (anything, HTML first) gets JSON.
		assertThat(this.client.get("/api/kv/api/text", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
			.headers().firstValue("Content-Type")).hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
	}

	@Test
	void aBodyAnnouncedLargerThanTheLimitIsRefusedBeforeItIsSent() throws Exception {
		try (Socket socket = rawPut("/api/kv/api/huge", "Content-Length: 1073741824")) {
			socket.getOutputStream().write(new byte[1024]);
			assertRawProblem(socket, 413);
		}
		assertThat(this.store.exists("api/huge")).isFalse();
	}

	@Test
	void aStreamedBodyIsRefusedOnceItPassesTheLimit() throws Exception {
		try (Socket socket = rawPut("/api/kv/api/streamed", "Transfer-Encoding: chunked")) {
			OutputStream out = socket.getOutputStream();
			byte[] chunk = new byte[64 * 1024];
			for (int sent = 0; sent <= this.store.maxValueSize(); sent += chunk.length) {
				out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
				out.write(chunk);
				out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			// No last chunk: the body never ends, so only a server that stops reading can answer.
			out.flush();
			assertRawProblem(socket, 413);
		}
		assertThat(this.store.exists("api/streamed")).isFalse();
	}

	/** A PUT written by hand on a socket, to send what an HTTP client library would not: its head so far. */
	private Socket rawPut(String path, String lengthHeader) throws IOException {
		Socket socket = new Socket("127.0.0.1", this.port);
		socket.setSoTimeout((int) SampleClient.TIMEOUT.toMillis());
		socket.getOutputStream().write(("PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				+ "Content-Type: application/octet-stream\r\n" + lengthHeader + "\r\nConnection: close\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		return socket;
	}

	/** Reads a raw HTTP/1.1 response: the status line and a problem+json content type. */
	private static void assertRawProblem(Socket socket, int status) throws IOException {
		BufferedReader in = new BufferedReader(
				new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
		assertThat(in.readLine()).startsWith("HTTP/1.1 " + status);
		List<String> headers = new ArrayList<>();
		for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
			headers.add(line.toLowerCase(Locale.ROOT));
		}
		assertThat(headers).contains("content-type: application/problem+json");
	}

	@Test
	void badPreconditionsGive400() {
		assertProblem(this.client.put("/api/kv/api/bad-if", "x", "If-Match", "abc"), 400, "Bad request", null);
		// A well-formed tag this API never gives out simply does not match.
		assertProblem(this.client.put("/api/kv/api/bad-if", "x", "If-Match", "\"abc\""), 412, "Precondition failed",
				null);
		assertProblem(this.client.put("/api/kv/api/bad-if", "x", "If-None-Match", "\"1\""), 400, "Bad request",
				null);
		assertProblem(this.client.put("/api/kv/api/bad-if", "x", "If-Match", "\"1\"", "If-None-Match", "*"), 400,
				"Bad request", null);
		assertThat(this.store.exists("api/bad-if")).isFalse();
	}

	@Test
	void valueLargerThanTheStoreAllowsGives413AndWritesNothing() {
		byte[] value = new byte[this.store.maxValueSize() + 1];
		Arrays.fill(value, (byte) 'v');
		HttpResponse<String> response = this.client.put("/api/kv/api/big", value);
		assertProblem(response, 413, "Value too large", "ValueTooLargeException");
		assertThat(SampleClient.json(response).get("maxSize").asInt()).isEqualTo(this.store.maxValueSize());
		assertThat(this.store.exists("api/big")).isFalse();
	}

	@Test
	void aFormEncodedBodyIsStoredAsIs() {
		HttpResponse<String> response = this.client.put("/api/kv/api/form", "a=1&b=2", "Content-Type",
				"application/x-www-form-urlencoded");
		assertThat(response.statusCode()).isEqualTo(204);
		assertThat(this.store.get("api/form").valueAsString()).isEqualTo("a=1&b=2");
	}

	@Test
	void healthShowsTheValkeyrieComponentUp() {
		HttpResponse<String> response = this.client.get("/actuator/health");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode valkeyrie = SampleClient.json(response).get("components").get("valkeyrie");
		assertThat(valkeyrie.get("status").asString()).isEqualTo("UP");
		assertThat(valkeyrie.get("details").get("backend").asString()).isEqualTo("local");
	}

	@Test
	void metricsAreExposed() {
		this.client.get("/api/kv/api/metrics");
		HttpResponse<String> response = this.client.get("/actuator/metrics");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(SampleClient.json(response).get("names").valueStream().map(JsonNode::asString))
			.contains("http.server.requests", "valkeyrie.store");
		assertThat(this.client.get("/actuator/metrics/valkeyrie.store").statusCode()).isEqualTo(200);
	}

	@Test
	void theLeaderJobRunsHere() {
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode status = SampleClient.json(this.client.get("/api/leader"));
			assertThat(status.get("leading").asBoolean()).isTrue();
			assertThat(status.get("leader").asString()).isEqualTo(status.get("instance").asString());
			assertThat(status.get("runs").asLong()).isPositive();
		});
	}

	static void assertProblem(HttpResponse<String> response, int status, String title, String error) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode problem = SampleClient.json(response);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("title").asString()).isEqualTo(title);
		assertThat(problem.get("detail").asString()).isNotBlank();
		if (error != null) {
			assertThat(problem.get("error").asString()).isEqualTo(error);
		}
	}

}
