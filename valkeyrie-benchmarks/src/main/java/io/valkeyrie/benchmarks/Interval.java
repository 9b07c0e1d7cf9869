package io.valkeyrie.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A measured value (a ratio, or a latency against an absolute target) with its 95 %
 * interval, and whether it is clear of a target. A value whose interval straddles its target
 * is {@code undecided}: one run on a shared machine cannot say which side it is on.
 *
 * @param value the estimate
 * @param low the lower end of the 95 % interval
 * @param high the upper end
 * @param rounds how many rounds (or bootstrap resamples) it comes from
 */
public record Interval(double value, double low, double high, int rounds) {

	private static final int BOOTSTRAP_RESAMPLES = 2_000;

	/** Two-sided 95 % quantiles of Student's t for 1 to 30 degrees of freedom. */
	private static final double[] T_975 = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
			2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
			2.048, 2.045, 2.042 };

	/**
	 * The ratio ours / reference from rounds in which the two ran one after the other (round
	 * {@code i} of each list belongs together): the geometric mean of the per-round ratios,
	 * with a t-interval on their logarithms (a ratio's noise is multiplicative). {@code null}
	 * with fewer than 2 complete rounds.
	 */
	public static Interval pairedRatio(List<Double> ours, List<Double> reference) {
		int n = Math.min(ours.size(), reference.size());
		double[] logs = new double[n];
		int rounds = 0;
		for (int i = 0; i < n; i++) {
			Double a = ours.get(i);
			Double b = reference.get(i);
			if (a != null && b != null && a > 0 && b > 0) {
				logs[rounds++] = Math.log(a / b);
			}
		}
		if (rounds < 2) {
			return null;
		}
		double mean = Arrays.stream(logs, 0, rounds).average().orElseThrow();
		double variance = Arrays.stream(logs, 0, rounds).map((x) -> (x - mean) * (x - mean)).sum() / (rounds - 1);
		double half = T_975[Math.min(rounds - 1, T_975.length) - 1] * Math.sqrt(variance / rounds);
		return new Interval(Math.exp(mean), Math.exp(mean - half), Math.exp(mean + half), rounds);
	}

	/** A percentile of latency samples in milliseconds, with a bootstrap (percentile method) interval. */
	public static Interval percentile(Samples samples, double p) {
		SplittableRandom random = new SplittableRandom(42);
		long[] values = samples.values();
		double[] estimates = new double[BOOTSTRAP_RESAMPLES];
		for (int r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
			estimates[r] = Samples.percentileMillis(resample(values, random), p);
		}
		return bootstrap(samples.percentileMillis(p), estimates);
	}

	/** The ratio of a percentile of two sets of latency samples, with a bootstrap interval (each side resampled). */
	public static Interval percentileRatio(Samples ours, Samples reference, double p) {
		SplittableRandom random = new SplittableRandom(42);
		long[] a = ours.values();
		long[] b = reference.values();
		double[] estimates = new double[BOOTSTRAP_RESAMPLES];
		for (int r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
			estimates[r] = Samples.percentileMillis(resample(a, random), p) / Samples.percentileMillis(resample(b, random), p);
		}
		return bootstrap(ours.percentileMillis(p) / reference.percentileMillis(p), estimates);
	}

	/**
	 * {@code met} when the whole interval is on the good side of {@code limit}, {@code missed}
	 * when it is wholly on the bad side, else {@code undecided}.
	 * @param atMost whether the target is a maximum (≤, &lt;) rather than a minimum (≥)
	 */
	public String verdict(double limit, boolean atMost) {
		boolean good = atMost ? this.high <= limit : this.low >= limit;
		boolean bad = atMost ? this.low > limit : this.high < limit;
		return good ? "met" : bad ? "missed" : "undecided";
	}

	/** The value and its interval, e.g. {@code 1.050 [0.981, 1.124]}. */
	public String format() {
		return Report.ratio(this.value) + " [" + Report.ratio(this.low) + ", " + Report.ratio(this.high) + "]";
	}

	/** The value and its interval as milliseconds. */
	public String formatMillis() {
		return Report.format(this.value, 2) + String.format(Locale.ROOT, " [%s, %s]", Report.format(this.low, 2),
				Report.format(this.high, 2));
	}

	private static Interval bootstrap(double value, double[] estimates) {
		Arrays.sort(estimates);
		return new Interval(value, estimates[(int) (0.025 * estimates.length)], estimates[(int) (0.975 * estimates.length) - 1],
				estimates.length);
	}

	private static long[] resample(long[] values, SplittableRandom random) {
		long[] copy = new long[values.length];
		for (int i = 0; i < copy.length; i++) {
			copy[i] = values[random.nextInt(values.length)];
		}
		return copy;
	}

}
