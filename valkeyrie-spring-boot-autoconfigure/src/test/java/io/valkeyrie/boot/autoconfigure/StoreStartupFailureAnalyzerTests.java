package io.valkeyrie.boot.autoconfigure;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.valkeyrie.boot.test.HoldLocalStoreFile;
import io.valkeyrie.store.test.CrashableServer;
import io.valkeyrie.store.test.ServerProcess;
import io.valkeyrie.store.test.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Every way the store can fail to open at startup ends in a failure analysis that names the
 * backend, the address tried, the kind of cause and the property to change: real
 * applications against real servers, the analysis read from the console as a user sees it.
 */
@ExtendWith(OutputCaptureExtension.class)
class StoreStartupFailureAnalyzerTests {

	@Test
	void redisWrongPassword(CapturedOutput output) {
		String endpoint = TestServers.endpoint("redis");
		start("valkeyrie.backend=redis", "valkeyrie.redis.endpoints=" + endpoint,
				"valkeyrie.redis.username=no-such-user", "valkeyrie.redis.password=not-the-password");
		assertThat(analysis(output)).contains("redis store", endpoint, "authentication failed", "WRONGPASS",
				"valkeyrie.redis.username", "valkeyrie.redis.password")
			.doesNotContain("not-the-password");
	}

	@Test
	void redisMissingPassword(CapturedOutput output) {
		try (CrashableServer redis = CrashableServer.start("redis")) {
			String endpoint = "redis://127.0.0.1:" + redis.port();
			RedisClient client = RedisClient.create(endpoint);
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				connection.sync().configSet("requirepass", "the-password");
			}
			finally {
				client.shutdown();
			}
			start("valkeyrie.backend=redis", "valkeyrie.redis.endpoints=" + endpoint);
			assertThat(analysis(output)).contains("redis store", endpoint, "authentication failed", "NOAUTH",
					"valkeyrie.redis.password");
		}
	}

	@Test
	void unknownBackendOption(CapturedOutput output) {
		start("valkeyrie.backend=etcd", "valkeyrie.etcd.endpoints=" + TestServers.endpoint("etcd"),
				"valkeyrie.etcd.options.no-such-option=1");
		assertThat(analysis(output)).contains("etcd store", "configuration", "Unknown etcd option 'no-such-option'",
				"valkeyrie.etcd.options");
	}

	@Test
	void localFileInUseByAnotherProcess(@TempDir Path dir, CapturedOutput output) throws Exception {
		Path file = dir.resolve("app.mv");
		Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), HoldLocalStoreFile.class.getName(), file.toString())
			.redirectErrorStream(true)
			.start();
		try {
			BufferedReader reader = new BufferedReader(
					new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
			assertThat(reader.readLine()).as("the other process opened the file").isEqualTo("ready");
			start("valkeyrie.local.path=" + file);
			assertThat(analysis(output)).contains("local store", file.toString(), "in use by another process",
					"valkeyrie.local.path");
		}
		finally {
			holder.getOutputStream().close();
			if (!holder.waitFor(30, TimeUnit.SECONDS)) {
				holder.destroyForcibly();
			}
		}
	}

	@Test
	void etcdAuthenticationFailure(CapturedOutput output) throws Exception {
		try (CrashableServer etcd = CrashableServer.start("etcd")) {
			String endpoint = "http://127.0.0.1:" + etcd.port();
			try (Client client = Client.builder().endpoints(endpoint).build()) {
				ByteSequence root = ByteSequence.from("root", StandardCharsets.UTF_8);
				client.getAuthClient().userAdd(root, ByteSequence.from("the-password", StandardCharsets.UTF_8)).get();
				client.getAuthClient().roleAdd(root).get();
				client.getAuthClient().userGrantRole(root, root).get();
				client.getAuthClient().authEnable().get();
			}
			start("valkeyrie.backend=etcd", "valkeyrie.etcd.endpoints=" + endpoint, "valkeyrie.etcd.username=root",
					"valkeyrie.etcd.password=not-the-password");
			assertThat(analysis(output)).contains("etcd store", endpoint, "authentication failed",
					"valkeyrie.etcd.username", "valkeyrie.etcd.password")
				.doesNotContain("not-the-password", "make sure the servers are running");
		}
	}

	@Test
	void etcdRefusedPort(CapturedOutput output) {
		String endpoint = "http://127.0.0.1:" + ServerProcess.freePort();
		start("valkeyrie.backend=etcd", "valkeyrie.etcd.endpoints=" + endpoint, "valkeyrie.connect-timeout=2s");
		assertThat(analysis(output)).contains("etcd store", endpoint, "unreachable", "Connection refused",
				"valkeyrie.etcd.endpoints");
	}

	/** The failure analysis Spring Boot printed, from its banner on. */
	private static String analysis(CapturedOutput output) {
		String all = output.getAll();
		int start = all.indexOf("APPLICATION FAILED TO START");
		assertThat(start).as("a failure analysis was printed:%n%s", all).isNotNegative();
		return all.substring(start);
	}

	private static void start(String... properties) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(TestApplication.class)
			.web(WebApplicationType.NONE)
			.properties(properties)
			.run()
			.close());
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ValkeyrieAutoConfiguration.class)
	static class TestApplication {

	}

}
