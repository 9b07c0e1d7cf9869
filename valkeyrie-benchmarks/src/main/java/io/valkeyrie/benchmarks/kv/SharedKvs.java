package io.valkeyrie.benchmarks.kv;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The clients benchmark runs in one JVM share; closed at exit. */
final class SharedKvs {

	private static final Map<String, Kv> KVS = new ConcurrentHashMap<>();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> KVS.values().forEach(SharedKvs::closeQuietly)));
	}

	private SharedKvs() {
	}

	static Kv get(String backend, String side, String namespace) {
		return KVS.computeIfAbsent(backend + "/" + side + "/" + namespace, (key) -> Kv.open(backend, side, namespace));
	}

	private static void closeQuietly(Kv kv) {
		try {
			kv.close();
		}
		catch (RuntimeException ex) {
			// The JVM is exiting; the servers drop the connection anyway.
		}
	}

}
