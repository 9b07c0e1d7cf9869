package io.valkeyrie.benchmarks.kv;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.valkeyrie.benchmarks.BenchServers;

/**
 * Raw Consul HTTP API: {@code GET /v1/kv/<key>} (JSON, for the ModifyIndex), a plain
 * {@code PUT}, a {@code /v1/txn} {@code cas} (one round trip that returns the new
 * ModifyIndex, as a CAS returning the new version needs) and {@code GET ?recurse}.
 */
final class ConsulHttpKv implements Kv {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final HttpClient http;

	private final String base;

	private final String prefix;

	ConsulHttpKv(String namespace) {
		this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
		this.base = BenchServers.endpoint("consul");
		this.prefix = namespace + "/";
	}

	private URI kv(String key, String query) {
		return URI.create(this.base + "/v1/kv/" + this.prefix + key + query);
	}

	@Override
	public Object get(String key) {
		JsonNode node = json(send(HttpRequest.newBuilder(kv(key, "")).GET(), 200));
		return Base64.getDecoder().decode(node.get(0).get("Value").asText());
	}

	@Override
	public void put(String key, byte[] value) {
		String answer = send(HttpRequest.newBuilder(kv(key, "")).PUT(HttpRequest.BodyPublishers.ofByteArray(value)), 200);
		if (!answer.trim().equals("true")) {
			throw new IllegalStateException("PUT " + key + " answered " + answer);
		}
	}

	@Override
	public Object create(String key, byte[] value) {
		put(key, value);
		return json(send(HttpRequest.newBuilder(kv(key, "")).GET(), 200)).get(0).get("ModifyIndex").asLong();
	}

	@Override
	public Object atomicPut(String key, byte[] value, Object previous) {
		String body = "[{\"KV\":{\"Verb\":\"cas\",\"Key\":\"" + this.prefix + key + "\",\"Value\":\""
				+ Base64.getEncoder().encodeToString(value) + "\",\"Index\":" + previous + "}}]";
		JsonNode answer = json(send(HttpRequest.newBuilder(URI.create(this.base + "/v1/txn"))
			.PUT(HttpRequest.BodyPublishers.ofString(body)), 200));
		return answer.get("Results").get(0).get("KV").get("ModifyIndex").asLong();
	}

	@Override
	public int list(String dir) {
		JsonNode nodes = json(send(HttpRequest.newBuilder(kv(dir + "/", "?recurse=true")).GET(), 200));
		int count = 0;
		for (JsonNode node : nodes) {
			if (!node.path("Value").isNull()) {
				Base64.getDecoder().decode(node.get("Value").asText());
			}
			count++;
		}
		return count;
	}

	@Override
	public void close() {
		// HttpClient has no close() before Java 21; its threads end when it is unreachable.
	}

	private String send(HttpRequest.Builder request, int expected) {
		try {
			HttpResponse<String> response = this.http.send(request.timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != expected) {
				throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
						+ response.statusCode() + ": " + response.body());
			}
			return response.body();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static JsonNode json(String body) {
		try {
			return JSON.readTree(body);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
