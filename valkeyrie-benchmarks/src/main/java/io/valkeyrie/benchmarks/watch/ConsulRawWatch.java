package io.valkeyrie.benchmarks.watch;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.valkeyrie.benchmarks.BenchServers;

/**
 * A Consul blocking query ({@code GET /v1/kv/<key>?index=N&wait=...}) in a loop on its own
 * thread, the key written with a plain PUT.
 */
final class ConsulRawWatch extends RawWatch {

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private final String url;

	private final Thread poller;

	private volatile boolean closed;

	ConsulRawWatch(String key) {
		this.url = BenchServers.endpoint("consul") + "/v1/kv/bench-watch-raw/" + key;
		try {
			put(new byte[0]);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		long start = index(-1);
		this.poller = new Thread(() -> poll(start), "consul-raw-watch");
		this.poller.setDaemon(true);
		this.poller.start();
	}

	private void poll(long start) {
		long index = start;
		while (!this.closed) {
			long next = index(index);
			if (next > index && index >= 0) {
				arrived();
			}
			if (next >= 0) {
				index = next;
			}
		}
	}

	/** One (blocking, when {@code index >= 0}) read; returns the X-Consul-Index or -1 on error. */
	private long index(long index) {
		String query = (index >= 0) ? "?index=" + index + "&wait=30s" : "";
		try {
			HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(URI.create(this.url + query))
				.timeout(Duration.ofSeconds(40))
				.build(), HttpResponse.BodyHandlers.ofString());
			return response.headers().firstValueAsLong("X-Consul-Index").orElse(-1);
		}
		catch (IOException ex) {
			// The next round retries; a lost change shows up as a missing arrival (a timeout in the harness).
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.closed = true;
			return -1;
		}
	}

	@Override
	void put(byte[] value) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create(this.url)).PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build(),
				HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("PUT answered " + response.statusCode());
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.poller.interrupt();
	}

}
