package io.valkeyrie.benchmarks.watch;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;

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
		// From the revision after the current one: jetcd sets its watch up asynchronously, and a
		// put made before the server has it would otherwise never be delivered.
		WatchOption from = WatchOption.builder().withRevision(currentRevision() + 1).build();
		this.watcher = this.client.getWatchClient().watch(this.key, from, (response) -> {
			if (!response.getEvents().isEmpty()) {
				arrived();
			}
		});
	}

	private long currentRevision() {
		try {
			return this.client.getKVClient().get(this.key).get().getHeader().getRevision();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while reading etcd's revision", ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("reading etcd's revision failed", ex);
		}
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
