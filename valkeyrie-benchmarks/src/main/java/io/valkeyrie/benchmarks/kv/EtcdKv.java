package io.valkeyrie.benchmarks.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;

import io.valkeyrie.benchmarks.BenchServers;

/**
 * Raw jetcd: a linearizable range read, a put, a transaction comparing the mod revision,
 * and a prefix range read, each awaited like a synchronous caller does.
 */
final class EtcdKv implements Kv {

	private static final GetOption PREFIX = GetOption.builder().isPrefix(true).build();

	private final Client client;

	private final KV kv;

	private final String prefix;

	EtcdKv(String namespace) {
		this.client = Client.builder().endpoints(BenchServers.endpoint("etcd")).build();
		this.kv = this.client.getKVClient();
		this.prefix = namespace + "/";
	}

	private ByteSequence key(String key) {
		return ByteSequence.from(this.prefix + key, StandardCharsets.UTF_8);
	}

	@Override
	public Object get(String key) {
		GetResponse response = await(this.kv.get(key(key)));
		if (response.getKvs().isEmpty()) {
			throw new IllegalStateException("No key " + key);
		}
		return response.getKvs().get(0);
	}

	@Override
	public void put(String key, byte[] value) {
		await(this.kv.put(key(key), ByteSequence.from(value)));
	}

	@Override
	public Object create(String key, byte[] value) {
		put(key, value);
		GetResponse response = await(this.kv.get(key(key)));
		return response.getKvs().get(0).getModRevision();
	}

	@Override
	public Object atomicPut(String key, byte[] value, Object previous) {
		ByteSequence k = key(key);
		TxnResponse response = await(this.kv.txn()
			.If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision((Long) previous)))
			.Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
			.commit());
		if (!response.isSucceeded()) {
			throw new IllegalStateException("CAS failed on " + key);
		}
		return response.getHeader().getRevision();
	}

	@Override
	public int list(String dir) {
		List<Map.Entry<String, byte[]>> pairs = new ArrayList<>();
		for (KeyValue kv : await(this.kv.get(key(dir + "/"), PREFIX)).getKvs()) {
			pairs.add(Map.entry(kv.getKey().toString(StandardCharsets.UTF_8).substring(this.prefix.length()), kv.getValue().getBytes()));
		}
		return pairs.size();
	}

	@Override
	public void close() {
		this.client.close();
	}

	static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
		try {
			return future.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

}
