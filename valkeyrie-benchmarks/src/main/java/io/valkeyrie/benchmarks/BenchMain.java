package io.valkeyrie.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.benchmarks.discovery.DiscoveryBenchmark;
import io.valkeyrie.benchmarks.discovery.DiscoveryLatency;
import io.valkeyrie.benchmarks.http.HttpGetter;
import io.valkeyrie.benchmarks.lock.LockHandover;
import io.valkeyrie.benchmarks.lock.LockClient;
import io.valkeyrie.benchmarks.watch.WatchLatency;
import io.valkeyrie.benchmarks.watch.WatchScale;
import io.valkeyrie.store.Store;
import org.jspecify.annotations.Nullable;

/**
 * Runs every measurement of a profile against the servers the {@code VALKEYRIE_TEST_*}
 * variables name, and prints one table: backend, measure, ours, reference, ratio, target,
 * met?
 * <pre>
 * java -cp ... io.valkeyrie.benchmarks.BenchMain [--profile smoke|quick|full] [--forks n] [--list-noise n] [--backends local,etcd,...]
 *     [--only overhead,locks,handover,watch,discovery,scale,list,file] [--soak 10m] [--out report.md] [--logs dir]
 * </pre>
 * A backend whose store cannot be opened (not implemented yet, server down) is reported
 * as such; its raw baselines and references still run.
 */
public final class BenchMain {

	/** Unmeasured hand-overs of every variant before any is measured. */
	private static final int HANDOVER_WARMUP = 20;

	/**
	 * The hand-over samples of each variant are taken in chunks of at most this many, round-robin,
	 * and in at least {@link #HANDOVER_MIN_CHUNKS} chunks, so ours and the references alternate
	 * often enough that a slow spell of the machine falls on every variant.
	 */
	private static final int HANDOVER_CHUNK_SIZE = 100;

	private static final int HANDOVER_MIN_CHUNKS = 5;

	private static final List<String> PARTS = List.of("overhead", "locks", "handover", "watch", "discovery", "scale", "list",
			"file");

	private static final List<String> OPS = List.of("get", "put", "atomicPut", "list");

	private final Profile profile;

	private final List<String> backends;

	private final Set<String> parts;

	private final Path logs;

	/** How long the file part also runs the steady overwrite load, or {@code null}. */
	private @Nullable Duration soak;

	private final Report report = new Report();

	private final Map<String, String> unavailable = new LinkedHashMap<>();

	private BenchMain(Profile profile, List<String> backends, Set<String> parts, Path logs) {
		this.profile = profile;
		this.backends = backends;
		this.parts = parts;
		this.logs = logs;
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		Profile profile = Profile.named(options.getOrDefault("profile", "quick"));
		if (options.containsKey("forks")) {
			profile = profile.withForks(Integer.parseInt(options.get("forks")));
		}
		if (options.containsKey("list-noise")) {
			profile = profile.withListNoise(Integer.parseInt(options.get("list-noise")));
		}
		List<String> backends = List.of(options.getOrDefault("backends", String.join(",", BenchServers.BACKENDS)).split(","));
		Set<String> parts = new LinkedHashSet<>(List.of(options.getOrDefault("only", String.join(",", PARTS)).split(",")));
		Path logs = Path.of(options.getOrDefault("logs", "target/bench"));
		Files.createDirectories(logs);
		BenchMain bench = new BenchMain(profile, backends, parts, logs);
		if (options.containsKey("soak")) {
			bench.soak = LocalFileSize.parseDuration(options.get("soak"));
		}
		Instant start = Instant.now();
		String loadBefore = loadAverage();
		String table = bench.run();
		Duration took = Duration.between(start, Instant.now());
		String header = "valkeyrie benchmarks, profile " + profile.name() + ", " + Runtime.getRuntime().availableProcessors()
				+ " cores, " + memory() + ", Java " + System.getProperty("java.version") + ", took " + took.toSeconds()
				+ " s; load average (1/5/15 min) " + loadBefore + " at the start, " + loadAverage() + " at the end\n\n";
		System.out.println();
		System.out.println(header + table);
		if (options.containsKey("out")) {
			Files.writeString(Path.of(options.get("out")), header + table);
		}
		System.exit(0);
	}

	private String run() throws Exception {
		probe();
		if (this.parts.contains("overhead") || this.parts.contains("locks")) {
			jmh();
		}
		if (this.parts.contains("handover")) {
			handover();
		}
		if (this.parts.contains("watch")) {
			WatchLatency latency = new WatchLatency(this.profile.latencySamples() / 10, this.profile.latencySamples());
			for (String backend : this.backends) {
				progress("watch latency: " + backend);
				latency.run(backend, !this.unavailable.containsKey(backend), this.report);
			}
		}
		if (this.parts.contains("discovery")) {
			discovery();
		}
		if (this.parts.contains("scale")) {
			for (String backend : this.backends) {
				progress("watch scale: " + backend);
				if (ours(backend, "watch scale", "≤ 16 threads, ≤ 256 MB")) {
					watchScale(backend);
				}
			}
		}
		if (this.parts.contains("list")) {
			ListScale list = new ListScale(this.profile.listNoise(), this.profile.listRounds());
			for (String backend : this.backends) {
				progress("list scale: " + backend);
				if (ours(backend, "list scale", "≤ 2.00")) {
					list.run(backend, this.report);
				}
			}
		}
		if (this.parts.contains("file") && this.backends.contains("local") && ours("local", "file size", "≤ 4× live")) {
			progress("local file size");
			try {
				new LocalFileSize(this.soak, this.logs).run(this.report);
			}
			catch (Exception ex) {
				this.report.failed("local", "file size", "≤ 4× live", ex.toString());
			}
		}
		this.unavailable.forEach((backend, reason) -> this.report.note(backend + ": the store could not be opened, so only the raw baselines and references ran: " + reason));
		return this.report.toMarkdown();
	}

	/** Open each backend's store once, so an unavailable one is reported once and skipped. */
	private void probe() {
		for (String backend : this.backends) {
			try (Store store = BenchServers.open(backend, "bench-probe")) {
				store.put("probe", "ok");
				store.get("probe");
			}
			catch (Throwable ex) {
				String reason = ex.getClass().getSimpleName() + ": " + ex.getMessage();
				this.unavailable.put(backend, reason.replace('\n', ' '));
				progress(backend + " store unavailable: " + reason);
			}
		}
	}

	/** Whether ours runs on the backend; adds a row saying why not otherwise. */
	private boolean ours(String backend, String measure, String target) {
		String reason = this.unavailable.get(backend);
		if (reason != null) {
			this.report.failed(backend, measure, target, "store unavailable");
			return false;
		}
		return true;
	}

	/** The JMH part: overhead and lock cycles, per backend (a JVM of its own in the quick profile). */
	private void jmh() throws Exception {
		Map<String, Double> scores = new HashMap<>();
		for (String backend : this.backends) {
			boolean ready = !this.unavailable.containsKey(backend);
			List<String> sides = !this.parts.contains("overhead") ? List.of() : ready ? List.of("ours", "raw") : List.of("raw");
			List<String> variants = !this.parts.contains("locks") ? List.of()
					: LockClient.VARIANTS.stream()
						.filter((v) -> LockClient.backend(v).equals(backend))
						.filter((v) -> ready || v.startsWith("si-"))
						.toList();
			progress("JMH " + backend + ": overhead " + sides + ", locks " + variants + ", 1 and 4 threads");
			if (this.profile.forks() > 0) {
				scores.putAll(JmhSuite.run(this.profile, backend, sides, variants, this.logs, this.profile.forks()));
			}
			else {
				scores.putAll(child(backend, JmhSuite.class, Duration.ofMinutes(5), List.of(this.profile.name(), backend, csv(sides), csv(variants),
						this.logs.toString()), (key, value) -> Double.valueOf(value)));
			}
		}
		Map<String, List<Double>> rounds = JmhSuite.byRound(scores);
		if (this.parts.contains("overhead")) {
			for (String backend : this.backends) {
				for (String op : OPS) {
					for (int threads : new int[] { 1, 4 }) {
						overheadRow(backend, op, threads, rounds.get(JmhSuite.key(op, backend, "ours", threads)),
								rounds.get(JmhSuite.key(op, backend, "raw", threads)));
					}
				}
			}
		}
		if (this.parts.contains("locks")) {
			lockRows(rounds);
		}
		Double apache = median(rounds.get(JmhSuite.key("get", "apache5", "", 1)));
		if (apache != null) {
			StringBuilder note = new StringBuilder("consul: GET /v1/kv/<key> per HTTP client (µs/op, 1 thread): ");
			for (String client : HttpGetter.CLIENTS) {
				Double score = median(rounds.get(JmhSuite.key("get", client, "", 1)));
				note.append(client).append(' ').append((score != null) ? Report.format(score, 1) : "failed");
				note.append((score != null) ? String.format(java.util.Locale.ROOT, " (%.2f×)", score / apache) : "").append(", ");
			}
			this.report.note(note.substring(0, note.length() - 2) + "; the backend uses apache5");
		}
	}

	/**
	 * The discovery part: {@code getInstances} from the watched view (JMH, one thread, in the
	 * profile's rounds; the view is in memory, so it runs once, on the local store), then per
	 * backend a registration seen in another instance's view beside the raw watch.
	 */
	private void discovery() throws Exception {
		String measure = "discovery getInstances 1 thread (calls/s)";
		String target = "≥ 1,000,000 calls/s";
		progress("discovery getInstances (JMH, 1 thread)");
		Map<String, Double> scores;
		if (this.profile.forks() > 0) {
			scores = new HashMap<>();
			JmhSuite.discovery(this.profile, this.logs, this.profile.forks(), scores::put);
		}
		else {
			scores = child("local", DiscoveryBenchmark.class, Duration.ofMinutes(5),
					List.of(this.profile.name(), this.logs.toString()), (key, value) -> Double.valueOf(value));
		}
		List<Double> calls = JmhSuite.byRound(scores).get(JmhSuite.key("getInstances", "local", "", 1));
		Double median = median(calls);
		if (median == null) {
			this.report.failed("local", measure, target, "see " + this.logs.resolve("DiscoveryBenchmark-local.log"));
		}
		else {
			// An absolute target: the interval is of ours alone (calls/s), shown in the ratio column.
			Interval interval = Interval.pairedRatio(calls, calls.stream().map((score) -> 1.0).toList());
			this.report.add("local", measure, Report.format(median, 0), "- (in memory: any backend)", interval, target,
					(interval != null) ? interval.verdict(1_000_000, false) : verdict(median >= 1_000_000));
		}
		DiscoveryLatency latency = new DiscoveryLatency(this.profile.latencySamples() / 10, this.profile.latencySamples());
		for (String backend : this.backends) {
			progress("discovery register→seen: " + backend);
			latency.run(backend, !this.unavailable.containsKey(backend), this.report);
		}
	}

	/** Run a main class in a JVM of its own and collect its {@code @@ key=value} lines. */
	private <T> Map<String, T> child(String name, Class<?> main, Duration timeout, List<String> args,
			java.util.function.BiFunction<String, String, T> parse) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx1g", "-cp", System.getProperty("java.class.path"), main.getName()));
		command.addAll(args);
		Path log = this.logs.resolve(main.getSimpleName() + "-" + name + ".log");
		Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
		Thread watchdog = new Thread(() -> {
			try {
				if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					progress(main.getSimpleName() + " " + name + " still running after " + timeout.toSeconds() + " s: stopped");
					process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				// The child finished first and the watchdog is no longer needed.
			}
		}, "bench-watchdog");
		watchdog.setDaemon(true);
		watchdog.start();
		Map<String, T> values = new HashMap<>();
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.startsWith("@@ ")) {
					int equals = line.lastIndexOf('=');
					values.put(line.substring(3, equals), parse.apply(line.substring(3, equals), line.substring(equals + 1)));
				}
			}
		}
		process.waitFor();
		watchdog.interrupt();
		if (process.exitValue() != 0) {
			progress(main.getSimpleName() + " " + name + " exited with " + process.exitValue() + ", see " + log);
		}
		return values;
	}

	private static String csv(List<String> values) {
		return values.isEmpty() ? "-" : String.join(",", values);
	}

	/**
	 * A row of the overhead table. The columns ours and raw show each side's median over the
	 * rounds; the ratio is the geometric mean of the rounds' ratios with its 95 % interval.
	 */
	private void overheadRow(String backend, String op, int threads, List<Double> ours, List<Double> raw) {
		boolean local = backend.equals("local");
		Double oursMedian = median(ours);
		Double rawMedian = median(raw);
		String reference = (rawMedian != null) ? (local ? "MVStore " : "raw ") : "raw failed";
		if (local && op.equals("get") && threads == 1) {
			String measure = "get 1 thread (ops/s)";
			String target = "≥ 1,000,000 ops/s";
			if (oursMedian == null) {
				this.report.failed(backend, measure, reference + ((rawMedian != null) ? Report.format(1e6 / rawMedian, 0) : ""), target,
						why(backend));
				return;
			}
			// An absolute target: the interval is of ours alone (ops/s), shown in the ratio column.
			Interval ops = Interval.pairedRatio(ours.stream().map((score) -> 1e6 / score).toList(),
					ours.stream().map((score) -> 1.0).toList());
			this.report.add(backend, measure, Report.format(1e6 / oursMedian, 0),
					reference + ((rawMedian != null) ? Report.format(1e6 / rawMedian, 0) : ""), ops, target,
					(ops != null) ? ops.verdict(1_000_000, false) : verdict(1e6 / oursMedian >= 1_000_000));
			return;
		}
		String measure = op + " " + threads + " thread" + ((threads > 1) ? "s" : "") + " (µs/op)";
		String target;
		double limit;
		if (!local) {
			target = "≤ 1.10";
			limit = 1.10;
		}
		else if (op.equals("put")) {
			target = "≤ 1.11 (≥ 0.9× ops/s)";
			limit = 1 / 0.9;
		}
		else {
			target = "-";
			limit = Double.NaN;
		}
		String rawColumn = (rawMedian != null) ? reference + Report.format(rawMedian, 2) : reference;
		if (oursMedian == null) {
			this.report.failed(backend, measure, rawColumn, target, why(backend));
			return;
		}
		Interval ratio = (raw != null) ? Interval.pairedRatio(ours, raw) : null;
		String verdict = Double.isNaN(limit) ? null
				: (ratio != null) ? ratio.verdict(limit, true) : verdict(rawMedian != null && oursMedian / rawMedian <= limit);
		this.report.add(backend, measure, Report.format(oursMedian, 2), rawColumn, ratio, target, verdict);
	}

	private void lockRows(Map<String, List<Double>> rounds) {
		for (String backend : this.backends) {
			List<String> references = LockClient.VARIANTS.stream()
				.filter((v) -> v.startsWith("si-") && LockClient.backend(v).equals(backend))
				.toList();
			for (String[] run : new String[][] { { "1", "own" }, { "4", "own" }, { "4", "shared" } }) {
				int threads = Integer.parseInt(run[0]);
				String clients = run[1];
				String measure = "lock+unlock " + ((threads == 1) ? "1 thread"
						: threads + " threads, " + (clients.equals("own") ? "own clients" : "1 shared client")) + " (cycles/s)";
				List<Double> ours = rounds.get(JmhSuite.key("lockUnlock", "ours-" + backend, clients, threads));
				Double oursMedian = median(ours);
				if (references.isEmpty()) {
					if (oursMedian == null) {
						this.report.failed(backend, measure, "-", why(backend));
					}
					else {
						this.report.add(backend, measure, Report.format(oursMedian, 0), "- (no Spring Integration registry)", Double.NaN,
								"-", null);
					}
				}
				for (String reference : references) {
					List<Double> theirs = rounds.get(JmhSuite.key("lockUnlock", reference, clients, threads));
					Double theirsMedian = median(theirs);
					String label = "SI " + reference.substring("si-".length()) + " "
							+ ((theirsMedian != null) ? Report.format(theirsMedian, 0) : "failed");
					if (oursMedian == null) {
						this.report.failed(backend, measure, label, "≥ 1.00", why(backend));
						continue;
					}
					Interval ratio = (theirs != null) ? Interval.pairedRatio(ours, theirs) : null;
					String verdict = (ratio != null) ? ratio.verdict(1.0, false)
							: verdict(theirsMedian != null && oursMedian / theirsMedian >= 1.0);
					this.report.add(backend, measure, Report.format(oursMedian, 0), label, ratio, "≥ 1.00", verdict);
				}
			}
		}
	}

	/** The median of a side's rounds, {@code null} when it has none. */
	private static Double median(List<Double> rounds) {
		if (rounds == null || rounds.isEmpty()) {
			return null;
		}
		double[] sorted = rounds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	/** The verdict of a value measured once (no interval): it cannot be called clear of its target. */
	private static String verdict(boolean onTheGoodSide) {
		return onTheGoodSide ? "met (1 round)" : "missed (1 round)";
	}

	private void handover() {
		int total = this.profile.handoverSamples();
		int chunks = Math.max(HANDOVER_MIN_CHUNKS, (total + HANDOVER_CHUNK_SIZE - 1) / HANDOVER_CHUNK_SIZE);
		LockHandover chunk = new LockHandover(5, (total + chunks - 1) / chunks);
		Map<String, Samples> results = new HashMap<>();
		Map<String, String> errors = new HashMap<>();
		List<String> variants = LockClient.VARIANTS.stream()
			.filter((variant) -> this.backends.contains(LockClient.backend(variant))
					&& !(variant.startsWith("ours-") && this.unavailable.containsKey(LockClient.backend(variant))))
			.toList();
		// The variants of a backend share its client library (Lettuce for ours and Spring Integration
		// on Redis, Curator on ZooKeeper), which the JIT keeps optimising for a while: an unmeasured
		// pass of every variant first, then the samples taken in chunks, round-robin, so no variant
		// (ours, always first) alone runs on colder code than the others.
		LockHandover warmup = new LockHandover(HANDOVER_WARMUP, 0);
		for (String variant : variants) {
			progress("lock hand-over warm-up: " + variant);
			try {
				Bounded.call("hand-over warm-up " + variant, Duration.ofSeconds(90), () -> warmup.run(variant));
			}
			catch (Exception ex) {
				// The measured runs below report the failure.
			}
		}
		for (int round = 1; round <= chunks; round++) {
			for (String variant : variants) {
				if (errors.containsKey(variant)) {
					continue;
				}
				progress("lock hand-over: " + variant + " (" + round + "/" + chunks + ")");
				Samples samples = results.computeIfAbsent(variant, (v) -> new Samples(total));
				try {
					Bounded.call("hand-over " + variant, Duration.ofSeconds(90), () -> {
						chunk.run(variant, samples);
						return null;
					});
				}
				catch (Exception ex) {
					errors.put(variant, ex.toString());
					results.remove(variant);
				}
			}
		}
		for (String backend : this.backends) {
			Samples ours = results.get("ours-" + backend);
			String oursError = errors.containsKey("ours-" + backend) ? errors.get("ours-" + backend) : why(backend);
			String bestName = null;
			Samples best = null;
			for (String variant : LockClient.VARIANTS) {
				Samples candidate = results.get(variant);
				if (variant.startsWith("si-") && LockClient.backend(variant).equals(backend) && candidate != null
						&& (best == null || candidate.percentileMillis(99) < best.percentileMillis(99))) {
					best = candidate;
					bestName = variant.substring("si-".length());
				}
			}
			for (int p : new int[] { 50, 99 }) {
				String measure = "lock hand-over p" + p + " (ms)";
				String target = (best != null) ? "≤ 1.00" : "-";
				if (ours == null) {
					this.report.failed(backend, measure,
							(best != null) ? "SI " + bestName + " " + Report.format(best.percentileMillis(p), 2) : "-", target, oursError);
					continue;
				}
				double value = ours.percentileMillis(p);
				if (best == null) {
					this.report.add(backend, measure, Report.format(value, 2), "- (no Spring Integration registry)", Double.NaN, "-", null);
				}
				else {
					double theirs = best.percentileMillis(p);
					Interval ratio = Interval.percentileRatio(ours, best, p);
					this.report.add(backend, measure, Report.format(value, 2), "SI " + bestName + " " + Report.format(theirs, 2),
							ratio, target, ratio.verdict(1.0, true));
				}
			}
		}
		results.forEach((variant, samples) -> {
			if (variant.startsWith("si-")) {
				this.report.note("lock hand-over of Spring Integration " + variant.substring(3) + ": p50 "
						+ Report.format(samples.percentileMillis(50), 2) + " ms, p99 " + Report.format(samples.percentileMillis(99), 2)
						+ " ms");
			}
		});
		errors.forEach((variant, error) -> this.report.note("lock hand-over " + variant + " failed: " + error));
	}

	private void watchScale(String backend) throws IOException, InterruptedException {
		String target = "≤ 16";
		Map<String, String> values = child(backend, WatchScale.class, Duration.ofMinutes(4), List.of(backend, Integer.toString(this.profile.watches()),
				Integer.toString(this.profile.changes()), "90000"), (key, value) -> value);
		String watches = String.format("%,d", this.profile.watches());
		if (!values.containsKey("delivered")) {
			this.report.failed(backend, "watch scale (" + watches + " watches)", target,
					values.getOrDefault("error", "see " + this.logs.resolve("WatchScale-" + backend + ".log")));
			return;
		}
		int threadsAdded = Integer.parseInt(values.get("threadsAdded"));
		this.report.add(backend, "threads added by " + watches + " watches", Integer.toString(threadsAdded),
				values.get("threadsBefore") + " before", Double.NaN, "≤ 16", threadsAdded <= 16);
		if (threadsAdded > 16) {
			this.report.note(backend + " watch scale: threads alive after the changes that were not there before the watches: "
					+ values.get("threadNamesAdded"));
		}
		double heap = Double.parseDouble(values.get("heapUsedMb"));
		this.report.add(backend, "heap used with " + watches + " watches (MB)", values.get("heapUsedMb"),
				values.get("heapBeforeMb") + " before", Double.NaN, "≤ 256", heap <= 256);
		int sockets = Integer.parseInt(values.get("socketsWatching"));
		if (sockets >= 0) {
			this.report.add(backend, "connections to server with " + watches + " watches", Integer.toString(sockets),
					values.get("socketsBefore") + " before", Double.NaN, "≤ 16 (not per watch)", sockets <= 16);
		}
		this.report.add(backend, "open " + watches + " watches, first snapshots (ms)", values.get("openMillis"),
				"-", Double.NaN, "-", null);
		int delivered = Integer.parseInt(values.get("delivered"));
		long millis = Long.parseLong(values.get("deliveryMillis"));
		this.report.add(backend, String.format("%,d", this.profile.changes()) + " changes delivered (ms)",
				(millis >= 0) ? Long.toString(millis) : "timeout", delivered + " delivered", Double.NaN,
				"all " + String.format("%,d", this.profile.changes()), delivered == this.profile.changes());
		if (values.containsKey("error")) {
			this.report.note(backend + " watch scale: " + values.get("error"));
		}
	}

	private String why(String backend) {
		return this.unavailable.containsKey(backend) ? "store unavailable" : "benchmark error, see " + this.logs;
	}

	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (IOException | RuntimeException ex) {
			// Not Linux: the header goes without it.
			return "unknown";
		}
	}

	private static String memory() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
					return Math.round(kb / 1024.0 / 1024.0) + " GB RAM";
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// Not Linux: the header goes without it.
		}
		return "RAM unknown";
	}

	private static void progress(String message) {
		System.err.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + message);
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (int i = 0; i < args.length; i++) {
			if (!args[i].startsWith("--") || i + 1 >= args.length) {
				throw new IllegalArgumentException("Usage: BenchMain [--profile smoke|quick|full] [--forks n] [--list-noise n] [--backends a,b] [--only "
						+ String.join(",", PARTS) + "] [--soak 10m] [--out file] [--logs dir]");
			}
			options.put(args[i].substring(2), args[++i]);
		}
		return options;
	}

}
