package io.valkeyrie.sample;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the sample on one store (a local in-memory database shared in this JVM,
 * as a distributed backend is shared between hosts): exactly one runs the leader job, both
 * show the same leader, and the other takes over when the leader stops.
 */
class SampleLeaderTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final List<ConfigurableApplicationContext> instances = new java.util.ArrayList<>();

	@AfterEach
	void stop() {
		this.instances.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void exactlyOneInstanceLeadsAndAnotherTakesOverWhenItStops() {
		SampleClient first = start();
		SampleClient second = start();

		await().atMost(WAIT).untilAsserted(() -> {
			JsonNode one = status(first);
			JsonNode two = status(second);
			assertThat(one.get("leading").asBoolean()).isNotEqualTo(two.get("leading").asBoolean());
			JsonNode leader = one.get("leading").asBoolean() ? one : two;
			assertThat(one.get("leader").asString()).isEqualTo(leader.get("instance").asString());
			assertThat(two.get("leader").asString()).isEqualTo(leader.get("instance").asString());
		});

		int leaderIndex = status(first).get("leading").asBoolean() ? 0 : 1;
		SampleClient follower = (leaderIndex == 0) ? second : first;
		long followerRuns = status(follower).get("runs").asLong();
		assertThat(followerRuns).isZero();
		this.instances.get(leaderIndex).close();

		await().atMost(WAIT).untilAsserted(() -> {
			JsonNode status = status(follower);
			assertThat(status.get("leading").asBoolean()).isTrue();
			assertThat(status.get("leader").asString()).isEqualTo(status.get("instance").asString());
			assertThat(status.get("runs").asLong()).isPositive();
		});
	}

	private SampleClient start() {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).run(
				"--server.port=0", "--valkeyrie.local.path=", "--valkeyrie.local.name=sample-leader-tests",
				"--sample.leader.interval=200ms");
		this.instances.add(context);
		return new SampleClient(context.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
	}

	private static JsonNode status(SampleClient client) {
		return SampleClient.json(client.get("/api/leader"));
	}

}
