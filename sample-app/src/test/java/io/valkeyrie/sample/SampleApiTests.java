package io.valkeyrie.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

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
		assertThat(SampleClient.json(response).get("key").asString()).isEqualTo("/api//empty-segment");
		assertProblem(this.client.get("/api/kv/"), 400, "Invalid key", "InvalidKeyException");
	}

	@Test
	void badTtlGives400() {
		assertProblem(this.client.put("/api/kv/api/bad-ttl?ttl=soon", "x"), 400, "Bad request", null);
		assertProblem(this.client.put("/api/kv/api/bad-ttl?ttl=0s", "x"), 400, "Bad request", null);
		assertThat(this.store.exists("api/bad-ttl")).isFalse();
	}

	@Test
	void badPreconditionsGive400() {
		assertProblem(this.client.put("/api/kv/api/bad-if", "x", "If-Match", "\"abc\""), 400, "Bad request", null);
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
