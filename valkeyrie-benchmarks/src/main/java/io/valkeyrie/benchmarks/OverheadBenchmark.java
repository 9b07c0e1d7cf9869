package io.valkeyrie.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

import io.valkeyrie.benchmarks.kv.Kv;

/**
 * The cost of the abstraction: get, put, atomicPut and list (100 keys) through the
 * {@code Store} ({@code side=ours}) and through the raw client doing the same work on the
 * same server ({@code side=raw}). Every thread writes its own keys, so threads never
 * conflict; the 4-thread runs show how each side shares its connection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OverheadBenchmark {

	/** What the writes write: 64 bytes. */
	static final byte[] VALUE = value(64, (byte) 'v');

	/**
	 * What every other write writes instead, so every write changes the key: Consul skips a
	 * {@code PUT} of the value a key holds, which would measure a no-op.
	 */
	static final byte[] OTHER_VALUE = value(64, (byte) 'w');

	/** The number of keys list reads. */
	static final int LIST_SIZE = 100;

	@Param({ "local", "etcd", "zookeeper", "redis", "consul" })
	public String backend;

	@Param({ "ours", "raw" })
	public String side;

	Kv kv;

	@Setup(Level.Trial)
	public void open() {
		this.kv = Kv.shared(this.backend, this.side, "bench-overhead-" + this.side);
		this.kv.create("get/k", VALUE);
		if (listedOrZero() != LIST_SIZE) {
			for (int i = 0; i < LIST_SIZE; i++) {
				this.kv.create(String.format("list/k%03d", i), VALUE);
			}
		}
		int listed = this.kv.list("list");
		if (listed != LIST_SIZE) {
			throw new IllegalStateException(this.backend + "/" + this.side + " listed " + listed + " keys, not " + LIST_SIZE);
		}
	}

	/** The keys one thread writes, and the version its next compare-and-swap compares with. */
	@State(Scope.Thread)
	public static class Writer {

		String putKey;

		String casKey;

		Object previous;

		private boolean other;

		/** {@link #VALUE} and {@link #OTHER_VALUE} in turn. */
		byte[] next() {
			this.other = !this.other;
			return this.other ? OTHER_VALUE : VALUE;
		}

		@Setup(Level.Trial)
		public void create(OverheadBenchmark benchmark, ThreadParams thread) {
			this.putKey = "put/t" + thread.getThreadIndex();
			this.casKey = "cas/t" + thread.getThreadIndex();
			benchmark.kv.create(this.putKey, VALUE);
			this.previous = benchmark.kv.create(this.casKey, VALUE);
		}

	}

	@Benchmark
	public Object get() {
		return this.kv.get("get/k");
	}

	@Benchmark
	public void put(Writer writer) {
		this.kv.put(writer.putKey, writer.next());
	}

	@Benchmark
	public Object atomicPut(Writer writer) {
		writer.previous = this.kv.atomicPut(writer.casKey, writer.next(), writer.previous);
		return writer.previous;
	}

	@Benchmark
	public int list() {
		return this.kv.list("list");
	}

	private int listedOrZero() {
		try {
			return this.kv.list("list");
		}
		catch (RuntimeException ex) {
			// Nothing there yet (the store's KeyNotFoundException, ZooKeeper's NoNode): seed it.
			return 0;
		}
	}

	static byte[] value(int size, byte fill) {
		byte[] value = new byte[size];
		Arrays.fill(value, fill);
		return value;
	}

}
