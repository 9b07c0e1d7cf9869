package io.valkeyrie.benchmarks;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import io.valkeyrie.benchmarks.discovery.DiscoveryBenchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The JMH part of a run for one backend: {@link OverheadBenchmark} (the given sides) and
 * {@link LockBenchmark} (the given variants), each with 1 and 4 threads, and for Consul
 * {@link HttpClientsBenchmark} with 1 thread.
 * <p>
 * With {@code forks > 0} JMH forks a JVM per benchmark as usual. The quick profile uses
 * {@code forks = 0} inside a JVM of its own per backend (see {@link #main}): one JVM start
 * and one connection per backend instead of one per benchmark, which is what fits the
 * whole run into minutes; ours and raw then share that JVM, so the call into the
 * {@link io.valkeyrie.benchmarks.kv.Kv} under test stays bimorphic and cheap for both.
 */
public final class JmhSuite {

	private static final String ROUND = "#round";

	private JmhSuite() {
	}

	/**
	 * Run in this JVM (JMH forks 0) and print {@code @@ key=score} lines for the parent.
	 * Arguments: profile, backend, sides (comma-separated or {@code -}), lock variants
	 * (comma-separated or {@code -}), log directory.
	 */
	public static void main(String[] args) throws RunnerException {
		Profile profile = Profile.named(args[0]);
		// Printed as each run ends, so the parent keeps what finished if a later run hangs.
		run(profile, args[1], list(args[2]), list(args[3]), Path.of(args[4]), 0, (key, score) -> {
			System.out.println("@@ " + key + "=" + score);
			System.out.flush();
		});
		System.exit(0);
	}

	/** Run one backend's benchmarks; returns the scores by {@link #key}. */
	public static Map<String, Double> run(Profile profile, String backend, List<String> sides, List<String> variants, Path logs,
			int forks) throws RunnerException {
		Map<String, Double> scores = new HashMap<>();
		run(profile, backend, sides, variants, logs, forks, scores::put);
		return scores;
	}

	private static void run(Profile profile, String backend, List<String> sides, List<String> variants, Path logs, int forks,
			BiConsumer<String, Double> scores) throws RunnerException {
		// Overhead and locks run in rounds (1 and 4 threads each), ours and the reference one after
		// the other in each: every round gives a ratio, and the spread of the rounds' ratios gives
		// its interval (a burst of load from elsewhere on the machine widens it instead of deciding it).
		if (!sides.isEmpty()) {
			inRounds(profile, scores, (threads, round) -> options(profile, OverheadBenchmark.class, threads, forks,
					logs.resolve("jmh-overhead-" + backend + "-" + threads + "t-round" + round + ".log"))
				.param("backend", backend)
				.param("side", sides.toArray(String[]::new)));
		}
		if (backend.equals("consul") && sides.contains("raw")) {
			collect(options(profile, HttpClientsBenchmark.class, 1, forks, logs.resolve("jmh-http-clients.log")), scores);
		}
		if (!variants.isEmpty()) {
			inRounds(profile, scores, (threads, round) -> options(profile, LockBenchmark.class, threads, forks,
					logs.resolve("jmh-locks-" + backend + "-" + threads + "t-round" + round + ".log"))
				.param("variant", variants.toArray(String[]::new))
				// With one thread a shared client is the same as an own one.
				.param("clients", (threads == 1) ? new String[] { "own" } : new String[] { "own", "shared" }));
		}
	}

	/**
	 * Run {@link DiscoveryBenchmark} (one thread) in each of
	 * the profile's rounds; each round's calls/s is keyed by {@link #inRound} of
	 * {@code key("getInstances", "local", "", 1)}.
	 */
	public static void discovery(Profile profile, Path logs, int forks, BiConsumer<String, Double> scores)
			throws RunnerException {
		for (int round = 1; round <= profile.rounds(); round++) {
			int current = round;
			collect(options(profile, DiscoveryBenchmark.class, 1, forks,
					logs.resolve("jmh-discovery-round" + round + ".log")),
					(key, score) -> scores.accept(inRound(key("getInstances", "local", "", 1), current), score));
		}
	}

	/** The options of one run of a benchmark, with 1 or 4 threads, in a round. */
	@FunctionalInterface
	private interface RunOptions {

		ChainedOptionsBuilder of(int threads, int round);

	}

	/** Run with 1 and 4 threads in each of the profile's rounds; each score is keyed by {@link #inRound}. */
	private static void inRounds(Profile profile, BiConsumer<String, Double> scores, RunOptions options) throws RunnerException {
		for (int round = 1; round <= profile.rounds(); round++) {
			int current = round;
			for (int threads : new int[] { 1, 4 }) {
				collect(options.of(threads, round), (key, score) -> scores.accept(inRound(key, current), score));
			}
		}
	}

	/** The key of a score of one round. */
	static String inRound(String key, int round) {
		return key + ROUND + round;
	}

	/**
	 * The scores by {@link #key}, each with its rounds' scores in round order (a score run
	 * once has one).
	 */
	public static Map<String, List<Double>> byRound(Map<String, Double> scores) {
		Map<String, java.util.TreeMap<Integer, Double>> rounds = new HashMap<>();
		scores.forEach((key, score) -> {
			int at = key.lastIndexOf(ROUND);
			String base = (at < 0) ? key : key.substring(0, at);
			int round = (at < 0) ? 0 : Integer.parseInt(key.substring(at + ROUND.length()));
			rounds.computeIfAbsent(base, (k) -> new java.util.TreeMap<>()).put(round, score);
		});
		Map<String, List<Double>> lists = new HashMap<>();
		rounds.forEach((key, byRound) -> lists.put(key, List.copyOf(byRound.values())));
		return lists;
	}

	/** The key of a score: benchmark method, backend or lock variant, side or lock clients, threads. */
	public static String key(String method, String backendOrVariant, String side, int threads) {
		return method + "|" + backendOrVariant + "|" + side + "|" + threads;
	}

	private static ChainedOptionsBuilder options(Profile profile, Class<?> benchmark, int threads, int forks, Path log) {
		return new OptionsBuilder().include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
			.forks(forks)
			.warmupIterations(profile.warmupIterations())
			.warmupTime(TimeValue.milliseconds(profile.warmupMillis()))
			.measurementIterations(profile.iterations())
			.measurementTime(TimeValue.milliseconds(profile.iterationMillis()))
			.threads(threads)
			.shouldFailOnError(false)
			.timeout(TimeValue.seconds(60))
			.jvmArgsAppend("-Xmx1g")
			.output(log.toString());
	}

	private static void collect(ChainedOptionsBuilder options, BiConsumer<String, Double> scores) throws RunnerException {
		Collection<RunResult> results = new Runner(options.build()).run();
		for (RunResult result : results) {
			String benchmark = result.getParams().getBenchmark();
			String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
			String backend = result.getParams().getParam("backend");
			String variant = result.getParams().getParam("variant");
			String first = (backend != null) ? backend : (variant != null) ? variant : result.getParams().getParam("client");
			String side = (backend != null) ? result.getParams().getParam("side") : result.getParams().getParam("clients");
			scores.accept(key(method, first, (side != null) ? side : "", result.getParams().getThreads()),
					result.getPrimaryResult().getScore());
		}
	}

	private static List<String> list(String csv) {
		return csv.equals("-") ? List.of() : List.of(csv.split(","));
	}

}
