package io.valkeyrie.benchmarks.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

import io.valkeyrie.benchmarks.BenchServers;

/**
 * Raw H2 MVStore on a file: {@code MVMap.get}, {@code put} + {@code commit()}, a
 * compare-and-swap on a version map under a lock (MVStore has no versioned write), and a
 * cursor from the directory's prefix.
 */
final class MvStoreKv implements Kv {

	private final MVStore store;

	private final MVMap<String, byte[]> data;

	private final MVMap<String, Long> versions;

	private long counter;

	MvStoreKv(String namespace) {
		this.store = new MVStore.Builder().fileName(BenchServers.localFile("raw-" + namespace.replace('/', '_')).toString())
			.autoCommitDisabled()
			.open();
		this.data = this.store.openMap("data",
				new MVMap.Builder<String, byte[]>().keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
		this.versions = this.store.openMap("versions",
				new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE).valueType(LongDataType.INSTANCE));
	}

	@Override
	public Object get(String key) {
		byte[] value = this.data.get(key);
		if (value == null) {
			throw new IllegalStateException("No key " + key);
		}
		return value;
	}

	@Override
	public void put(String key, byte[] value) {
		this.data.put(key, value);
		this.store.commit();
	}

	@Override
	public synchronized Object create(String key, byte[] value) {
		this.data.put(key, value);
		this.versions.put(key, ++this.counter);
		this.store.commit();
		return this.counter;
	}

	@Override
	public synchronized Object atomicPut(String key, byte[] value, Object previous) {
		if (!previous.equals(this.versions.get(key))) {
			throw new IllegalStateException("CAS failed on " + key);
		}
		this.data.put(key, value);
		this.versions.put(key, ++this.counter);
		this.store.commit();
		return this.counter;
	}

	@Override
	public int list(String dir) {
		String prefix = dir + "/";
		List<Map.Entry<String, byte[]>> pairs = new ArrayList<>();
		Cursor<String, byte[]> cursor = this.data.cursor(prefix);
		while (cursor.hasNext()) {
			String key = cursor.next();
			if (!key.startsWith(prefix)) {
				break;
			}
			pairs.add(Map.entry(key, cursor.getValue()));
		}
		return pairs.size();
	}

	@Override
	public void close() {
		this.store.close();
	}

}
