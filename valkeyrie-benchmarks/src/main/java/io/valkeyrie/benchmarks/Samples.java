package io.valkeyrie.benchmarks;

import java.util.Arrays;

/** Latency samples in nanoseconds, with nearest-rank percentiles. */
public final class Samples {

	private final long[] values;

	private int size;

	public Samples(int capacity) {
		this.values = new long[capacity];
	}

	/** Record one sample; samples beyond the capacity are dropped. */
	public void add(long nanos) {
		if (this.size < this.values.length) {
			this.values[this.size++] = nanos;
		}
	}

	public int size() {
		return this.size;
	}

	/** The nearest-rank percentile in milliseconds ({@code p} in 0..100), NaN without samples. */
	public double percentileMillis(double p) {
		return percentileMillis(values(), p);
	}

	/** The samples recorded, in nanoseconds. */
	public long[] nanos() {
		return values();
	}

	/** The samples recorded, in nanoseconds. */
	long[] values() {
		return Arrays.copyOf(this.values, this.size);
	}

	/** The nearest-rank percentile of {@code nanos} in milliseconds; sorts the array. */
	static double percentileMillis(long[] nanos, double p) {
		if (nanos.length == 0) {
			return Double.NaN;
		}
		Arrays.sort(nanos);
		int rank = (int) Math.ceil(p / 100.0 * nanos.length);
		return nanos[Math.max(0, Math.min(nanos.length - 1, rank - 1))] / 1e6;
	}

	/** The mean in milliseconds. */
	public double meanMillis() {
		return Arrays.stream(this.values, 0, this.size).average().orElse(Double.NaN) / 1e6;
	}

}
