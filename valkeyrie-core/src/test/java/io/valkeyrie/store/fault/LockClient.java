package io.valkeyrie.store.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WriteOptions;

/**
 * One competitor of {@link LockSafetyFaultTest}, in a JVM of its own so the test can freeze
 * (SIGSTOP) or kill it. For a bounded number of rounds it takes the lock, makes a fenced
 * compare-and-set of the counter ({@code <count>:<token of the last accepted write>}), holds
 * 50–200 ms and unlocks. Every step goes to its log file, flushed at once (so a SIGKILL loses
 * nothing already done), as {@code <EVENT> <token> <monotonic ns> <wall ms> [details]}, and to
 * standard output for the test to follow.
 * <p>
 * With role {@code park}, the first acquisition does not unlock after its write: the client
 * prints {@code PARKED <token>} and waits for a {@code GO} line, then tries one more fenced
 * write (logged as {@code WAKE-<outcome>}) and unlocks.
 * <p>
 * Arguments: backend, endpoint ({@code -} for none), namespace, lock TTL in milliseconds,
 * rounds, log file, role ({@code park} or {@code run}), then backend options as
 * {@code name=value}.
 */
public final class LockClient {

	static final String LOCK = "lock";

	static final String COUNTER = "counter";

	private final Store store;

	private final Writer log;

	private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

	private LockClient(Store store, Writer log) {
		this.store = store;
		this.log = log;
	}

	public static void main(String[] args) throws IOException {
		StoreConfig.Builder config = StoreConfig.builder(args[0]).namespace(args[2])
			// Generous: the test machine is busy while several JVMs start.
			.requestTimeout(Duration.ofSeconds(20));
		if (!args[1].equals("-")) {
			config.endpoints(args[1]);
		}
		for (int i = 7; i < args.length; i++) {
			int equals = args[i].indexOf('=');
			config.option(args[i].substring(0, equals), args[i].substring(equals + 1));
		}
		Duration ttl = Duration.ofMillis(Long.parseLong(args[3]));
		int rounds = Integer.parseInt(args[4]);
		boolean park = args[6].equals("park");
		try (Store store = Stores.open(config.build());
				Writer log = Files.newBufferedWriter(Path.of(args[5]), StandardCharsets.UTF_8)) {
			new LockClient(store, log).run(store.newLock(LOCK, LockOptions.builder().ttl(ttl).build()), rounds, park);
		}
	}

	private void run(StoreLock lock, int rounds, boolean park) throws IOException {
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		event("STARTED", 0, "");
		for (int round = 0; round < rounds; round++) {
			LockLease lease = acquire(lock);
			long token = lease.fencingToken();
			event("ACQUIRED", token, "");
			lease.lost().thenAccept((loss) -> event("LOST", token, loss.reason().name()));
			write(lease, "");
			if (park) {
				park = false;
				event("PARKED", token, "");
				String go = in.readLine();
				if (!"GO".equals(go)) {
					throw new IllegalStateException("expected GO, got " + go);
				}
				write(lease, "WAKE-");
			}
			else {
				sleepMillis(ThreadLocalRandom.current().nextLong(50, 201));
			}
			event("UNLOCKING", token, "");
			try {
				lock.unlock();
				event("RELEASED", token, "");
			}
			catch (LockNotHeldException ex) {
				event("NOT_HELD", token, "");
			}
		}
		event("DONE", 0, "");
	}

	/**
	 * Take the lock, bounded: a lock that never comes fails the client rather than hanging the
	 * suite. A backend briefly unreachable is retried a few times, as an application would: a
	 * ZooKeeper client resumed after its session expired reconnects first.
	 */
	private LockLease acquire(StoreLock lock) {
		for (int attempt = 1;; attempt++) {
			try {
				return lock.tryLock(Duration.ofSeconds(120))
					.orElseThrow(() -> new IllegalStateException("lock not acquired in 120 s"));
			}
			catch (StoreUnavailableException ex) {
				event("UNAVAILABLE", 0, ex.getClass().getSimpleName());
				if (attempt == 5) {
					throw ex;
				}
				sleepMillis(500);
			}
		}
	}

	/**
	 * The fenced compare-and-set: refused unless the lease is valid, the stored token is not
	 * newer than ours and nobody wrote in between.
	 */
	private void write(LockLease lease, String tag) {
		long token = lease.fencingToken();
		long start = System.nanoTime();
		String outcome;
		if (!lease.isValid()) {
			outcome = "REFUSED_INVALID";
		}
		else {
			try {
				Optional<KVPair> current = this.store.find(COUNTER);
				long count = 0;
				long last = 0;
				if (current.isPresent()) {
					String[] parts = new String(current.get().value(), StandardCharsets.UTF_8).split(":");
					count = Long.parseLong(parts[0]);
					last = Long.parseLong(parts[1]);
				}
				if (last > token) {
					outcome = "REFUSED_STALE";
				}
				else {
					this.store.atomicPut(COUNTER, ((count + 1) + ":" + token).getBytes(StandardCharsets.UTF_8),
							current.orElse(null), WriteOptions.NONE);
					outcome = "ACCEPTED";
				}
			}
			catch (StoreException ex) {
				// Key modified or exists, lost lease noticed by the call, backend unreachable: not written.
				outcome = "FAILED_" + ex.getClass().getSimpleName();
			}
		}
		boolean told = lease.lost().toCompletableFuture().isDone();
		event(tag + outcome, token, "start=" + start + " told=" + told);
	}

	private synchronized void event(String name, long token, String details) {
		String line = name + " " + token + " " + System.nanoTime() + " " + System.currentTimeMillis()
				+ (details.isEmpty() ? "" : " " + details);
		try {
			this.log.write(line + "\n");
			this.log.flush();
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot write the log", ex);
		}
		this.out.println(line);
	}

	private static void sleepMillis(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
