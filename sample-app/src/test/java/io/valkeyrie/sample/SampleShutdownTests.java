package io.valkeyrie.sample;

import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An open live feed does not hold up shutdown: graceful shutdown waits for active requests,
 * and the feed ends its streams when the application stops.
 */
class SampleShutdownTests {

	@Test
	void anOpenFeedEndsWhenTheApplicationStops() throws Exception {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
			.run("--server.port=0", "--" + SampleApiTests.IN_MEMORY, "--server.shutdown=graceful",
					"--spring.lifecycle.timeout-per-shutdown-phase=30s");
		try {
			SampleClient client = new SampleClient(
					context.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
			HttpResponse<Stream<String>> response = client.http()
				.send(client.request("/api/events").timeout(Duration.ofMinutes(1)).GET().build(),
						BodyHandlers.ofLines());
			Iterator<String> lines = response.body().iterator();
			assertThat(lines.next()).isEqualTo("event:ready");
			CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> lines.forEachRemaining((line) -> {
			}));

			long start = System.nanoTime();
			context.close();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
			ended.get(10, TimeUnit.SECONDS);
		}
		finally {
			context.close();
		}
	}

}
