package io.valkeyrie.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain JDK HTTP client on the running sample: what any client of the API sends, nothing
 * Spring-specific in between.
 */
final class SampleClient {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String base;

	SampleClient(int port) {
		this.base = "http://127.0.0.1:" + port;
	}

	String base() {
		return this.base;
	}

	HttpClient http() {
		return this.http;
	}

	HttpResponse<String> get(String path, String... headers) {
		return send(headers(request(path).GET(), headers));
	}

	HttpResponse<byte[]> getBytes(String path, String... headers) {
		try {
			return this.http.send(headers(request(path).GET(), headers).build(), BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	HttpResponse<String> put(String path, String body, String... headers) {
		return put(path, body.getBytes(StandardCharsets.UTF_8), headers);
	}

	HttpResponse<String> put(String path, byte[] body, String... headers) {
		HttpRequest.Builder request = request(path).PUT(BodyPublishers.ofByteArray(body));
		if (!Arrays.asList(headers).contains("Content-Type")) {
			request.header("Content-Type", "text/plain; charset=utf-8");
		}
		return send(headers(request, headers));
	}

	HttpResponse<String> delete(String path, String... headers) {
		return send(headers(request(path).DELETE(), headers));
	}

	static JsonNode json(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.base + path)).timeout(TIMEOUT);
	}

	private static HttpRequest.Builder headers(HttpRequest.Builder request, String... headers) {
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return request;
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.http.send(request.build(), BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

}
