package io.valkeyrie.benchmarks.watch;

import io.valkeyrie.benchmarks.kv.ConsulHttp;

/**
 * A Consul blocking query ({@code GET /v1/kv/<key>?index=N&wait=...}) in a loop on its own
 * thread, the key written with a plain PUT, both on the consul backend's HTTP client.
 */
final class ConsulRawWatch extends RawWatch {

	private final ConsulHttp http = new ConsulHttp();

	private final String path;

	private final Thread poller;

	private volatile boolean closed;

	ConsulRawWatch(String key) {
		this.path = "/v1/kv/bench-watch-raw/" + key;
		put(new byte[0]);
		long start = this.http.get(this.path).index();
		this.poller = new Thread(() -> poll(start), "consul-raw-watch");
		this.poller.setDaemon(true);
		this.poller.start();
	}

	private void poll(long start) {
		long index = start;
		while (!this.closed) {
			try {
				long next = this.http.get(this.path + "?index=" + index + "&wait=30s").index();
				if (next > index) {
					arrived();
				}
				if (next > 0) {
					index = next;
				}
			}
			catch (RuntimeException ex) {
				// Closed, or the agent failed a request: a missed change shows up as a timeout in the harness.
			}
		}
	}

	@Override
	void put(byte[] value) {
		ConsulHttp.Answer answer = this.http.put(this.path, value);
		if (answer.status() != 200) {
			throw new IllegalStateException("PUT answered " + answer.status());
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.http.close();
	}

}
