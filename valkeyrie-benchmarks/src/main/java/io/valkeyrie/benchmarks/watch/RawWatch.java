package io.valkeyrie.benchmarks.watch;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw client watching one key with its own watch mechanism and writing it with its own
 * put: the reference the store's watch latency is compared with. Every change notification
 * records its arrival time; the harness writes one value at a time, so the next arrival
 * after a put belongs to that put.
 */
abstract class RawWatch implements AutoCloseable {

	private final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();

	static RawWatch open(String backend, String key) {
		return switch (backend) {
			case "etcd" -> new EtcdRawWatch(key);
			case "zookeeper" -> new CuratorRawWatch(key);
			case "redis" -> new KeyspaceRawWatch(key);
			case "consul" -> new ConsulRawWatch(key);
			default -> throw new IllegalArgumentException("No raw watch for " + backend);
		};
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

	@Override
	public abstract void close();

}
