package io.valkeyrie.benchmarks.watch;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw client watching one key with its own watch mechanism and writing it with its own
 * put: the reference the store's watch latency is compared with. Every change notification
 * of the watched key records its arrival time; the harness writes one value at a time, so
 * the next arrival after a put belongs to that put.
 * <p>
 * The <em>fair</em> variant delivers what a store event delivers, the new value: where the
 * raw notification carries none it reads the value first (ZooKeeper getData, Redis GET),
 * and on Consul it blocks on the watched prefix (as the store's one feed per namespace
 * must) instead of the one key. etcd's watch carries the value: there fair is plain.
 * Load keys ({@link #load}) are siblings of the watched key under the same prefix.
 */
abstract class RawWatch implements AutoCloseable {

	private final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();

	/** The watched key of {@link #open(String, boolean)}, relative to the side's root. */
	static final String KEY = "w/k";

	static RawWatch open(String backend, String key) {
		return open(backend, "bench-watch-raw", key, false);
	}

	/** The watch of {@link #KEY}, plain or fair, each under a root of its own so they never see each other's writes. */
	static RawWatch open(String backend, boolean fair) {
		return open(backend, fair ? "bench-watch-fair" : "bench-watch-raw", KEY, fair);
	}

	private static RawWatch open(String backend, String root, String key, boolean fair) {
		return switch (backend) {
			case "etcd" -> new EtcdRawWatch(root, key);
			case "zookeeper" -> new CuratorRawWatch(root, key, fair);
			case "redis" -> new KeyspaceRawWatch(root, key, fair);
			case "consul" -> new ConsulRawWatch(root, key, fair);
			default -> throw new IllegalArgumentException("No raw watch for " + backend);
		};
	}

	/** Whether the fair variant differs from the plain one on {@code backend}. */
	static boolean hasFair(String backend) {
		return !backend.equals("etcd");
	}

	/** The key of load write {@code n}, a sibling of {@link #KEY}. */
	static String loadKey(int n) {
		return "w/load/" + n;
	}

	/** Called by the watch mechanism on every change notification. */
	protected final void arrived() {
		this.arrivals.add(System.nanoTime());
	}

	/** Forget notifications that arrived before the next put. */
	final void drain() {
		this.arrivals.clear();
	}

	/** The arrival time of the next notification, or -1 after the timeout. */
	final long next(long timeoutMillis) throws InterruptedException {
		Long arrival = this.arrivals.poll(timeoutMillis, TimeUnit.MILLISECONDS);
		return (arrival != null) ? arrival : -1;
	}

	/** Write the watched key with the raw client. */
	abstract void put(byte[] value) throws Exception;

	/** Write load key {@code n} ({@link #loadKey}) with the raw client; called from several threads. */
	abstract void load(int n, byte[] value) throws Exception;

	@Override
	public abstract void close();

}
