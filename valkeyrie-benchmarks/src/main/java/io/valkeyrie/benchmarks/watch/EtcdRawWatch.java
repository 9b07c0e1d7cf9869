package io.valkeyrie.benchmarks.watch;

import java.nio.charset.StandardCharsets;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;

import io.valkeyrie.benchmarks.BenchServers;

/** jetcd's watch on the key, written with a jetcd put. */
final class EtcdRawWatch extends RawWatch {

	private final Client client;

	private final String root;

	private final ByteSequence key;

	private final Watch.Watcher watcher;

	EtcdRawWatch(String root, String key) {
		this.client = Client.builder().endpoints(BenchServers.endpoint("etcd")).build();
		this.root = root;
		this.key = ByteSequence.from(root + "/" + key, StandardCharsets.UTF_8);
		this.watcher = this.client.getWatchClient().watch(this.key, (response) -> {
			if (!response.getEvents().isEmpty()) {
				arrived();
			}
		});
	}

	@Override
	void put(byte[] value) throws Exception {
		this.client.getKVClient().put(this.key, ByteSequence.from(value)).get();
	}

	@Override
	void load(int n, byte[] value) throws Exception {
		this.client.getKVClient().put(ByteSequence.from(this.root + "/" + loadKey(n), StandardCharsets.UTF_8), ByteSequence.from(value)).get();
	}

	@Override
	public void close() {
		this.watcher.close();
		this.client.close();
	}

}
