package io.valkeyrie.starter.tests;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.valkeyrie.store.test.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds and tests a new application per backend, each with only Spring Boot's parent,
 * {@code valkeyrie-bom} and that backend's starter, against this build's artifacts laid out
 * in a private local repository as {@code mvn install} lays them out. Everything else comes
 * read-only from the user's local repository ({@code maven.repo.local.tail}), offline, so the
 * shared {@code ~/.m2} is never written to and nothing is downloaded.
 */
class FreshApplicationIT {

	private static final List<String> BACKENDS = List.of("consul", "etcd", "zookeeper", "redis");

	/** Every published module: the parent, the BOM, and the jars an application depends on. */
	private static final List<String> MODULES = List.of(".", "valkeyrie-bom", "valkeyrie-core",
			"valkeyrie-spring-boot-autoconfigure", "valkeyrie-spring-boot-starter",
			"valkeyrie-spring-boot-starter-consul", "valkeyrie-spring-boot-starter-etcd",
			"valkeyrie-spring-boot-starter-zookeeper", "valkeyrie-spring-boot-starter-redis");

	private static final Path ROOT = Path.of(System.getProperty("valkeyrie.root")).normalize();

	private static final String VERSION = System.getProperty("valkeyrie.version");

	private static final Path WORK = ROOT.resolve("valkeyrie-starter-tests/target/fresh-app");

	@BeforeAll
	static void installArtifacts() throws IOException {
		deleteRecursively(WORK);
		Path repository = WORK.resolve("repository");
		for (String module : MODULES) {
			install(ROOT.resolve(module), repository);
		}
	}

	@Test
	void eachStarterAloneGivesAWorkingBackend() throws Exception {
		Path apps = WORK.resolve("apps");
		StringBuilder modules = new StringBuilder();
		for (String backend : BACKENDS) {
			writeApplication(apps.resolve(backend), backend);
			modules.append("<module>").append(backend).append("</module>");
		}
		Files.writeString(apps.resolve("pom.xml"),
				"<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
						+ "<groupId>com.example</groupId><artifactId>apps</artifactId><version>1.0</version>"
						+ "<packaging>pom</packaging><modules>" + modules + "</modules></project>");
		Path log = WORK.resolve("build.log");
		List<String> command = new ArrayList<>(List.of(mavenExecutable(), "-o", "-B", "-ntp",
				"-Dmaven.repo.local=" + WORK.resolve("repository"),
				"-Dmaven.repo.local.tail=" + System.getProperty("maven.repo.local"), "-f",
				apps.resolve("pom.xml").toString(), "test"));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile());
		Map<String, String> environment = builder.environment();
		environment.put("VALKEYRIE_NAMESPACE", "fresh-app-" + UUID.randomUUID());
		for (String backend : BACKENDS) {
			environment.put("VALKEYRIE_" + backend.toUpperCase(Locale.ROOT) + "_ENDPOINTS",
					TestServers.endpoint(backend));
		}
		Process process = builder.start();
		assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("the build of the applications ends").isTrue();
		String output = Files.readString(log);
		assertThat(process.exitValue()).as("the build of the applications (%s):%n%s", log, tail(output))
			.isZero();
		for (String backend : BACKENDS) {
			assertThat(WORK.resolve("apps/" + backend + "/target/surefire-reports/TEST-demo.DemoApplicationTests.xml"))
				.as("the %s application's tests ran", backend)
				.content()
				.contains("tests=\"3\"", "failures=\"0\"", "errors=\"0\"", "skipped=\"0\"");
		}
	}

	private static void writeApplication(Path dir, String backend) throws IOException {
		// Only etcd and ZooKeeper bring Guava; there it must be the version valkeyrie is tested with.
		String guava = (backend.equals("etcd") || backend.equals("zookeeper"))
				? System.getProperty("expected.guava.version") : "";
		for (String file : List.of("pom.xml", "src/main/java/demo/DemoApplication.java",
				"src/main/resources/application.properties", "src/test/java/demo/DemoApplicationTests.java")) {
			String text;
			try (InputStream in = FreshApplicationIT.class.getResourceAsStream("/fresh-app/" + file)) {
				text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			text = text.replace("@BACKEND@", backend)
				.replace("@VALKEYRIE_VERSION@", VERSION)
				.replace("@SPRING_BOOT_VERSION@", System.getProperty("spring-boot.version"))
				.replace("@GUAVA_VERSION@", guava);
			Path target = dir.resolve(file);
			Files.createDirectories(target.getParent());
			Files.writeString(target, text);
		}
	}

	/** What {@code install:install} does for a module: its pom and its jar under the repository layout. */
	private static void install(Path module, Path repository) throws IOException {
		Path pom = module.resolve("pom.xml");
		String text = Files.readString(pom);
		String artifactId = artifactId(text);
		Path dir = repository.resolve("io/valkeyrie").resolve(artifactId).resolve(VERSION);
		Files.createDirectories(dir);
		String base = artifactId + "-" + VERSION;
		Files.copy(pom, dir.resolve(base + ".pom"), StandardCopyOption.REPLACE_EXISTING);
		Path jar = module.resolve("target/" + base + ".jar");
		if (!text.contains("<packaging>pom</packaging>")) {
			assertThat(jar).as("%s is packaged (run this test with 'verify')", artifactId).exists();
			Files.copy(jar, dir.resolve(base + ".jar"), StandardCopyOption.REPLACE_EXISTING);
		}
	}

	private static String artifactId(String pom) {
		// The project's own artifactId: the first one after the parent block.
		int from = pom.indexOf("</parent>");
		int start = pom.indexOf("<artifactId>", Math.max(from, 0)) + "<artifactId>".length();
		return pom.substring(start, pom.indexOf("</artifactId>", start));
	}

	private static String mavenExecutable() {
		String home = System.getProperty("maven.home");
		assertThat(home).as("maven.home (set by the build)").isNotBlank();
		return Path.of(home, "bin", File.separatorChar == '\\' ? "mvn.cmd" : "mvn").toString();
	}

	private static String tail(String output) {
		String[] lines = output.split("\n");
		return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 80), lines.length));
	}

	private static void deleteRecursively(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> {
				try {
					Files.delete(path);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
	}

}
