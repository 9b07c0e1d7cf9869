package io.valkeyrie.sample;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.valkeyrie.store.test.TestServers;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real outage: the sample on its {@code redis} profile, pointed at the redis test server
 * ({@code scripts/servers}), which is stopped under it. Calls answer 503 with a problem body
 * within the request timeout, never a 500; health goes DOWN; and both recover when the
 * server is back.
 */
class SampleRedisOutageTests {

	@Test
	void aStoppedServerGives503AndTheAppRecoversWhenItReturns() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).run(
				"--spring.profiles.active=redis", "--valkeyrie.redis.endpoints=" + TestServers.endpoint("redis"),
				"--valkeyrie.namespace=sample-outage-test", "--valkeyrie.request-timeout=2s", "--server.port=0")) {
			SampleClient client = new SampleClient(
					context.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
			assertThat(client.put("/api/kv/outage/a", "before").statusCode()).isEqualTo(204);

			TestServers.stop("redis");
			try {
				long start = System.nanoTime();
				HttpResponse<String> response = client.get("/api/kv/outage/a");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
				SampleApiTests.assertProblem(response, 503, "Store unavailable", "StoreUnavailableException");
				assertThat(response.headers().firstValue("Retry-After")).isPresent();
				SampleApiTests.assertProblem(client.put("/api/kv/outage/a", "during"), 503, "Store unavailable",
						"StoreUnavailableException");
				HttpResponse<String> health = client.get("/actuator/health");
				assertThat(health.statusCode()).isEqualTo(503);
				assertThat(SampleClient.json(health).get("components").get("valkeyrie").get("status").asString())
					.isEqualTo("DOWN");
			}
			finally {
				TestServers.start("redis");
			}

			// The test server keeps no data across a restart (no persistence): check that calls
			// work again, not that the key survived.
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(client.put("/api/kv/outage/a", "after").statusCode()).isEqualTo(204));
			assertThat(SampleClient.json(client.get("/api/kv/outage/a")).get("value").asString()).isEqualTo("after");
			assertThat(client.delete("/api/kv/outage/a").statusCode()).isEqualTo(204);
			assertThat(client.get("/actuator/health").statusCode()).isEqualTo(200);
		}
	}

}
