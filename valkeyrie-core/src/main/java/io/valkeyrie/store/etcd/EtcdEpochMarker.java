package io.valkeyrie.store.etcd;

import java.nio.charset.StandardCharsets;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.valkeyrie.store.internal.EpochGuard;
import io.valkeyrie.store.internal.Keys;

import org.jspecify.annotations.Nullable;

/**
 * The namespace's epoch marker in etcd: the key {@code "\0valkeyrie/locks/<namespace>/\0epoch"},
 * in the namespace's lock-record prefix (so a role allowed to lock may keep it; no lock record
 * has a key starting with a NUL) and, like the records, out of reach of every range a store
 * lists or watches. Gone when etcd restarts on an empty data directory.
 */
final class EtcdEpochMarker implements EpochGuard.Marker {

	private final KV kv;

	private final EtcdCalls calls;

	private final ByteSequence key;

	EtcdEpochMarker(KV kv, EtcdCalls calls, String namespace) {
		this.kv = kv;
		this.calls = calls;
		this.key = EtcdLayout.bytes("\0valkeyrie/locks/" + Keys.childPrefix(namespace) + "\0epoch");
	}

	@Override
	public @Nullable String read() {
		GetResponse response = this.calls.await("read the epoch marker", this.kv.get(this.key));
		return response.getKvs().isEmpty() ? null : response.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
	}

	@Override
	public boolean create(String text) {
		return write(new Cmp(this.key, Cmp.Op.EQUAL, CmpTarget.version(0)), text);
	}

	@Override
	public boolean replace(String expected, String text) {
		return write(new Cmp(this.key, Cmp.Op.EQUAL, CmpTarget.value(EtcdLayout.bytes(expected))), text);
	}

	private boolean write(Cmp condition, String text) {
		return this.calls
			.await("write the epoch marker",
					this.kv.txn().If(condition).Then(Op.put(this.key, EtcdLayout.bytes(text), PutOption.DEFAULT)).commit())
			.isSucceeded();
	}

}
