package io.valkeyrie.benchmarks.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import io.valkeyrie.benchmarks.kv.ConsulHttp;

/**
 * One HTTP client candidate for the consul backend, reduced to a GET that returns the
 * body: Apache HttpClient 5 (pooled, classic; what the backend uses), the JDK's
 * {@code HttpClient} (HTTP/1.1), OkHttp and Reactor Netty.
 */
public interface HttpGetter extends AutoCloseable {

	List<String> CLIENTS = List.of("apache5", "jdk", "okhttp", "reactor-netty");

	/** GET a path of the benchmark Consul agent and return the body. */
	byte[] get(String path);

	@Override
	void close();

	static HttpGetter open(String client, String base) {
		return switch (client) {
			case "apache5" -> apache(base);
			case "jdk" -> jdk(base);
			case "okhttp" -> okhttp(base);
			case "reactor-netty" -> reactorNetty(base);
			default -> throw new IllegalArgumentException("Unknown HTTP client " + client);
		};
	}

	private static HttpGetter apache(String base) {
		ConsulHttp http = new ConsulHttp();
		return of((path) -> http.get(path).body(), http::close);
	}

	private static HttpGetter jdk(String base) {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
		return of((path) -> {
			try {
				return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofByteArray())
					.body();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}, () -> {
			// The JDK client has no close() before Java 21; it is released when unreachable.
		});
	}

	private static HttpGetter okhttp(String base) {
		OkHttpClient http = new OkHttpClient();
		return of((path) -> {
			try (Response response = http.newCall(new Request.Builder().url(base + path).build()).execute()) {
				return response.body().bytes();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}, () -> {
			http.dispatcher().executorService().shutdown();
			http.connectionPool().evictAll();
		});
	}

	private static HttpGetter reactorNetty(String base) {
		reactor.netty.http.client.HttpClient http = reactor.netty.http.client.HttpClient.create().baseUrl(base);
		return of((path) -> http.get().uri(path).responseContent().aggregate().asByteArray().block(Duration.ofSeconds(10)),
				() -> {
					// The shared connection provider and event loops belong to Reactor Netty's global resources.
				});
	}

	private static HttpGetter of(java.util.function.Function<String, byte[]> get, Runnable close) {
		return new HttpGetter() {

			@Override
			public byte[] get(String path) {
				return get.apply(path);
			}

			@Override
			public void close() {
				close.run();
			}

		};
	}

}
