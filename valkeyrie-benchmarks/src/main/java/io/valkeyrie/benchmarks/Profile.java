package io.valkeyrie.benchmarks;

/**
 * How long each measurement runs. {@code quick} fits the whole run in under 10 minutes on
 * 2 cores (one fork, short iterations, a few hundred latency samples); {@code full} is for
 * numbers worth quoting.
 *
 * @param name the profile's name
 * @param forks JMH forks per benchmark; 0 runs each backend's benchmarks in one JVM of its
 * own (see {@link JmhSuite})
 * @param warmupIterations JMH warm-up iterations
 * @param warmupMillis length of each warm-up iteration
 * @param iterations JMH measurement iterations
 * @param iterationMillis length of each measurement iteration
 * @param rounds how many times the overhead and lock benchmarks run, ours and the reference one
 * after the other in each round; the rounds' ratios give each ratio's 95 % interval
 * @param latencySamples samples per watch latency and lock hand-over measurement
 * @param handoverSamples samples per lock hand-over variant
 * @param watches key watches of the watch-scale run
 * @param changes changes of the watch-scale run
 * @param listNoise keys around the listed directory in the list-scale run
 * @param listRounds rounds of 20 lists per namespace in the list-scale run
 */
public record Profile(String name, int forks, int warmupIterations, int warmupMillis, int iterations, int iterationMillis,
		int rounds, int latencySamples, int handoverSamples, int watches, int changes, int listNoise, int listRounds) {

	/** This profile with another number of JMH forks. */
	public Profile withForks(int forks) {
		return new Profile(this.name, forks, this.warmupIterations, this.warmupMillis, this.iterations, this.iterationMillis,
				this.rounds, this.latencySamples, this.handoverSamples, this.watches, this.changes, this.listNoise, this.listRounds);
	}

	/** This profile with another number of keys around the listed directory. */
	public Profile withListNoise(int listNoise) {
		return new Profile(this.name, this.forks, this.warmupIterations, this.warmupMillis, this.iterations, this.iterationMillis,
				this.rounds, this.latencySamples, this.handoverSamples, this.watches, this.changes, listNoise, this.listRounds);
	}

	public static Profile named(String name) {
		return switch (name) {
			case "quick" -> new Profile("quick", 0, 1, 300, 1, 400, 5, 200, 60, 10_000, 1_000, 100_000, 10);
			case "smoke" -> new Profile("smoke", 0, 0, 100, 1, 200, 1, 20, 5, 200, 20, 1_000, 2);
			case "full" -> new Profile("full", 1, 2, 1000, 3, 1000, 5, 2000, 2000, 10_000, 1_000, 100_000, 50);
			default -> throw new IllegalArgumentException("Unknown profile '" + name + "': smoke, quick or full");
		};
	}

}
