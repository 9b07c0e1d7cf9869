package io.valkeyrie.store.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;

/**
 * A lock holder in a JVM of its own, for tests that freeze it (SIGSTOP) or kill it. It
 * opens a store, takes a lock and prints {@code HELD <fencing token>}; then, for every
 * {@code WRITE} line on its input, makes a write through the store and prints
 * {@code WROTE told=<whether the loss had been reported when the write returned> valid=<lease
 * valid> reason=<loss reason>} ({@code FAILED ...} if the write failed).
 * <p>
 * Arguments: {@code <config line>} as {@link #configLine(StoreConfig)} writes it, the lock
 * key, the lock TTL in milliseconds.
 */
public final class LockHolderProcess {

	private LockHolderProcess() {
	}

	public static void main(String[] args) throws IOException {
		PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
		// A generous timeout: the test machine may be busy while this JVM starts.
		try (Store store = Stores.open(config(args[0]).requestTimeout(Duration.ofSeconds(20)).build())) {
			LockLease lease = store.newLock(args[1], LockOptions.builder().ttl(Duration.ofMillis(Long.parseLong(args[2]))).build())
				.lock();
			AtomicLong toldAt = new AtomicLong();
			AtomicReference<LockLoss> loss = new AtomicReference<>();
			lease.lost().thenAccept((lost) -> {
				loss.set(lost);
				toldAt.set(System.nanoTime());
			});
			out.println("HELD " + lease.fencingToken());
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			for (String line = in.readLine(); line != null && line.equals("WRITE"); line = in.readLine()) {
				String outcome;
				try {
					store.put("fenced", "written by token " + lease.fencingToken());
					outcome = "WROTE";
				}
				catch (RuntimeException ex) {
					outcome = "FAILED";
				}
				long returned = System.nanoTime();
				long told = toldAt.get();
				out.println(outcome + " told=" + (told != 0 && told - returned <= 0) + " valid=" + lease.isValid() + " reason="
						+ ((loss.get() != null) ? loss.get().reason() : "none"));
			}
		}
	}

	/** One line that {@link #config(String)} reads back: backend, namespace, endpoints and options. */
	static String configLine(StoreConfig config) {
		List<String> parts = new ArrayList<>();
		parts.add(config.backend());
		parts.add(config.namespace());
		parts.add(String.join(",", config.endpoints()));
		config.options().forEach((name, value) -> parts.add(name + "=" + value));
		return String.join("\t", parts);
	}

	private static StoreConfig.Builder config(String line) {
		String[] parts = line.split("\t", -1);
		StoreConfig.Builder builder = StoreConfig.builder(parts[0]).namespace(parts[1]);
		if (!parts[2].isEmpty()) {
			builder.endpoints(parts[2].split(","));
		}
		for (int i = 3; i < parts.length; i++) {
			int equals = parts[i].indexOf('=');
			builder.option(parts[i].substring(0, equals), parts[i].substring(equals + 1));
		}
		return builder;
	}

}
