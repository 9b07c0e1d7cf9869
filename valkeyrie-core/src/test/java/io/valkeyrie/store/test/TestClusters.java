package io.valkeyrie.store.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The 3-member clusters of {@code scripts/clusters}: their endpoints as it exports them
 * ({@code VALKEYRIE_TEST_ETCD_CLUSTER}, {@code VALKEYRIE_TEST_ZOOKEEPER_CLUSTER},
 * {@code VALKEYRIE_TEST_CONSUL_CLUSTER}; a system property {@code valkeyrie.test.<backend>-cluster}
 * wins), and the faults the fail-over tests inject through it (kill -9 of a member, restart).
 * <p>
 * A cluster that is not configured or not reachable fails the test with a message that says how
 * to start it; it is never skipped.
 */
public final class TestClusters {

	private TestClusters() {
	}

	/**
	 * The endpoints of every member of a backend's test cluster, each checked to accept connections.
	 * @param backend {@code etcd}, {@code zookeeper} or {@code consul}
	 * @return the members' endpoints as the backend's configuration takes them
	 */
	public static List<String> endpoints(String backend) {
		String variable = "VALKEYRIE_TEST_" + backend.toUpperCase(Locale.ROOT) + "_CLUSTER";
		String value = System.getProperty("valkeyrie.test." + backend + "-cluster", System.getenv(variable));
		if (value == null || value.isBlank()) {
			throw new AssertionError("No " + backend + " test cluster: " + variable + " is not set. Run the tests with "
					+ "scripts/test (it starts every cluster), or start one with 'scripts/clusters start " + backend
					+ "' and 'eval \"$(scripts/clusters env)\"'.");
		}
		List<String> endpoints = Arrays.stream(value.split(",")).map(String::trim).toList();
		for (String endpoint : endpoints) {
			TestServers.assertAccepts(endpoint, backend + " cluster member", variable, "scripts/clusters start " + backend);
		}
		return endpoints;
	}

	/** The member (e.g. {@code etcd-2}) that leads a backend's test cluster now. */
	public static String leader(String backend) {
		return run("leader", backend).strip();
	}

	/** SIGKILL one member, or every member of a cluster at once (a crash); the data stays. */
	public static void kill(String memberOrCluster) {
		run("kill", memberOrCluster);
	}

	/** Start a stopped or killed member on its old data and wait until it serves its cluster again. */
	public static void start(String member) {
		run("start", member);
	}

	/** Start every member of a killed cluster on its old data and wait until the cluster serves. */
	public static void startKeepingData(String backend) {
		run("start", "--keep-data", backend);
	}

	/** Stop every member of a cluster (SIGTERM: Redis writes its AOF out), keeping the data for {@link #startKeepingData}. */
	public static void stopKeepingData(String backend) {
		run("stop", "--keep-data", backend);
	}

	/**
	 * SIGSTOP one member: its sockets stay open but it answers nobody, clients or peers (a hung
	 * node, or one whose traffic is cut); undo with {@link #thaw(String)}.
	 */
	public static void freeze(String member) {
		signal("-STOP", member);
	}

	/** SIGCONT a member {@link #freeze frozen} before. */
	public static void thaw(String member) {
		signal("-CONT", member);
	}

	private static void signal(String signal, String member) {
		// "redis-1      running  pid 9066    redis://..." (the pid scripts/clusters started).
		Matcher pid = Pattern.compile("running\\s+pid\\s+(\\d+)").matcher(run("status", member));
		if (!pid.find()) {
			throw new AssertionError(member + " is not running");
		}
		try {
			Process kill = new ProcessBuilder("kill", signal, pid.group(1)).redirectErrorStream(true).start();
			if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new AssertionError("kill " + signal + " " + pid.group(1) + " (" + member + ") failed");
			}
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot run kill", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while signalling " + member, ex);
		}
	}

	/**
	 * Cut one member off from its peers (both ways), leaving its client port reachable; undo
	 * with {@link #heal(String)}.
	 */
	public static void partition(String member) {
		run("partition", member);
	}

	/** Undo every partition of a backend's cluster. */
	public static void heal(String backend) {
		run("heal", backend);
	}

	/** The member names of a backend's cluster, in the order of {@link #endpoints(String)}. */
	public static List<String> members(String backend) {
		return List.of(backend + "-1", backend + "-2", backend + "-3");
	}

	private static String run(String... arguments) {
		String script = System.getProperty("valkeyrie.clusters.script", System.getenv("VALKEYRIE_CLUSTERS_SCRIPT"));
		if (script == null) {
			throw new AssertionError("VALKEYRIE_CLUSTERS_SCRIPT is not set: this test controls its cluster through "
					+ "scripts/clusters; run it with scripts/test or after 'eval \"$(scripts/clusters env)\"'");
		}
		try {
			List<String> command = new ArrayList<>(List.of("bash", script));
			command.addAll(List.of(arguments));
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			byte[] output = process.getInputStream().readAllBytes();
			String text = new String(output, StandardCharsets.UTF_8);
			if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new AssertionError("'" + String.join(" ", command) + "' failed:\n" + text);
			}
			return text;
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot run " + script, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while running " + script, ex);
		}
	}

}
