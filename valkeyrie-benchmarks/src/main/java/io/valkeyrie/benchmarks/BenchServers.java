package io.valkeyrie.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;

/**
 * Where the servers are and how every benchmark opens a {@link Store} on them. The servers
 * are the test harness's ({@code scripts/servers}), found through the same variables the
 * tests read ({@code VALKEYRIE_TEST_ETCD}, ...).
 */
public final class BenchServers {

	/** Every backend, in the order the report lists them. */
	public static final List<String> BACKENDS = List.of("local", "etcd", "zookeeper", "redis", "consul");

	private static final Path LOCAL_DIR = localDir();

	// gRPC (jetcd) logs through java.util.logging at INFO; kept referenced so the level sticks.
	private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

	static {
		GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
	}

	private BenchServers() {
	}

	/**
	 * The endpoint of a server backend.
	 * @param backend etcd, zookeeper, redis or consul
	 * @return the endpoint as the backend's configuration (and its raw client) takes it
	 */
	public static String endpoint(String backend) {
		String variable = "VALKEYRIE_TEST_" + backend.toUpperCase(Locale.ROOT);
		String endpoint = System.getProperty("valkeyrie.test." + backend, System.getenv(variable));
		if (endpoint == null || endpoint.isBlank()) {
			throw new IllegalStateException("No " + backend + " server: " + variable
					+ " is not set. Run scripts/bench, or start the servers with scripts/servers and eval \"$(scripts/servers env)\"");
		}
		return endpoint.trim();
	}

	/** A folder for the files of the local backend and of raw MVStore, removed at exit. */
	public static Path localFile(String name) {
		return LOCAL_DIR.resolve(name + ".mv.db");
	}

	/**
	 * The configuration of a store on the benchmark server of {@code backend}.
	 * @param backend the backend
	 * @param namespace the namespace, so runs and sides never see each other's keys
	 * @return the configuration builder, to add more
	 */
	public static StoreConfig.Builder config(String backend, String namespace) {
		StoreConfig.Builder builder = StoreConfig.builder(backend).namespace(namespace).requestTimeout(Duration.ofSeconds(10));
		if (backend.equals("local")) {
			// A file, so a put is a commit to disk like the raw MVStore baseline's put + commit.
			return builder.option("path", localFile("store-" + namespace.replace('/', '_')));
		}
		return builder.endpoints(endpoint(backend));
	}

	/** Open a store on the benchmark server of {@code backend}. */
	public static Store open(String backend, String namespace) {
		return Stores.open(config(backend, namespace).build());
	}

	private static Path localDir() {
		try {
			Path dir = Files.createTempDirectory("valkeyrie-bench-");
			Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void delete(Path dir) {
		try (var files = Files.walk(dir)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// Only temporary files are left behind; nothing to report at JVM exit.
		}
	}

}
