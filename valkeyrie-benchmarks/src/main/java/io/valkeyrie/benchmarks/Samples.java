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
		if (this.size == 0) {
			return Double.NaN;
		}
		long[] sorted = Arrays.copyOf(this.values, this.size);
		Arrays.sort(sorted);
		int rank = (int) Math.ceil(p / 100.0 * this.size);
		return sorted[Math.max(0, Math.min(this.size - 1, rank - 1))] / 1e6;
	}

	/** The mean in milliseconds. */
	public double meanMillis() {
		return Arrays.stream(this.values, 0, this.size).average().orElse(Double.NaN) / 1e6;
	}

}
