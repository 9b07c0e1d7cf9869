package io.valkeyrie.benchmarks.watch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.valkeyrie.benchmarks.kv.ConsulHttp;

/**
 * A Consul blocking query ({@code GET /v1/kv/<key>?index=N&wait=...}) in a loop on its own
 * thread, the key written with a plain PUT, both on the consul backend's HTTP client. The
 * fair variant blocks on the watched key's prefix ({@code ?recurse}), as a store's one feed
 * per namespace must, and counts an arrival when the key's {@code ModifyIndex} in the
 * answer changed (the answer carries the values: nothing more to read).
 */
final class ConsulRawWatch extends RawWatch {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ConsulHttp http = new ConsulHttp();

	private final String root;

	private final String key;

	private final String path;

	private final Thread poller;

	private volatile boolean closed;

	ConsulRawWatch(String root, String key, boolean fair) {
		this.root = root + "/";
		this.key = this.root + key;
		this.path = "/v1/kv/" + this.key;
		put(new byte[0]);
		String query = fair ? "/v1/kv/" + this.key.substring(0, this.key.lastIndexOf('/') + 1) + "?recurse&" : this.path + "?";
		ConsulHttp.Answer first = this.http.get(this.path);
		long keyIndex = modifyIndex(first.body());
		this.poller = new Thread(() -> poll(query, fair, first.index(), keyIndex), "consul-raw-watch");
		this.poller.setDaemon(true);
		this.poller.start();
	}

	private void poll(String query, boolean fair, long start, long firstKeyIndex) {
		long index = start;
		long keyIndex = firstKeyIndex;
		while (!this.closed) {
			try {
				ConsulHttp.Answer answer = this.http.get(query + "index=" + index + "&wait=30s");
				long next = answer.index();
				if (fair) {
					long modified = modifyIndex(answer.body());
					if (modified != keyIndex) {
						arrived();
					}
					keyIndex = modified;
				}
				else if (next > index) {
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

	/** The watched key's ModifyIndex in a recursive answer, 0 if absent. */
	private long modifyIndex(byte[] body) {
		if (body.length == 0) {
			return 0;
		}
		for (JsonNode entry : JSON.readTree(body)) {
			if (this.key.equals(entry.path("Key").asString())) {
				return entry.path("ModifyIndex").asLong();
			}
		}
		return 0;
	}

	@Override
	void put(byte[] value) {
		ConsulHttp.Answer answer = this.http.put(this.path, value);
		if (answer.status() != 200) {
			throw new IllegalStateException("PUT answered " + answer.status());
		}
	}

	@Override
	void load(int n, byte[] value) {
		ConsulHttp.Answer answer = this.http.put("/v1/kv/" + this.root + loadKey(n), value);
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
