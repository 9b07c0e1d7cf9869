package io.valkeyrie.boot.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.autoconfigure.integration.ValkeyrieLockRegistryAutoConfiguration;
import io.valkeyrie.store.test.Timing;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.integration.leader.event.AbstractLeaderEvent;
import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.leader.event.OnRevokedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Checks leader election end to end: two applications with the same store settings elect
 * exactly one leader, which keeps leadership across heartbeats, and leadership moves to
 * the other when the leader's context closes.
 */
public final class LeaderElection {

	private LeaderElection() {
	}

	/**
	 * Run the check.
	 * @param properties the store settings both applications share
	 */
	public static void assertLeadershipMovesWhenTheLeaderCloses(Map<String, String> properties) {
		assertLeadershipMovesWhenTheLeaderCloses(properties, new Class<?>[0]);
	}

	/**
	 * Run the check with more configuration in each application.
	 * @param properties the store settings both applications share
	 * @param configurations more configuration classes of each application (for example
	 * one that defines the application's own {@code LockRegistry})
	 */
	public static void assertLeadershipMovesWhenTheLeaderCloses(Map<String, String> properties,
			Class<?>... configurations) {
		ConfigurableApplicationContext first = start(properties, configurations);
		ConfigurableApplicationContext second = start(properties, configurations);
		try {
			LeaderEvents firstEvents = first.getBean(LeaderEvents.class);
			LeaderEvents secondEvents = second.getBean(LeaderEvents.class);
			await().atMost(Timing.seconds(10)).until(() -> firstEvents.granted() + secondEvents.granted() == 1);
			ConfigurableApplicationContext leader = (firstEvents.granted() == 1) ? first : second;
			ConfigurableApplicationContext follower = (leader == first) ? second : first;
			LeaderEvents leaderEvents = leader.getBean(LeaderEvents.class);
			LeaderEvents followerEvents = follower.getBean(LeaderEvents.class);
			// Several heartbeats pass: the leader keeps its lock without flapping.
			await().pollDelay(Timing.millis(1500)).atMost(Timing.seconds(3)).until(() -> true);
			assertThat(leaderEvents.events).singleElement().isInstanceOf(OnGrantedEvent.class);
			assertThat(followerEvents.events).isEmpty();
			leader.close();
			// Closing waits for the leader to give its lock back, so it was told before close returned.
			assertThat(leaderEvents.events).hasSize(2).last().isInstanceOf(OnRevokedEvent.class);
			await().atMost(Timing.seconds(10)).until(() -> followerEvents.granted() == 1);
			assertThat(followerEvents.events).singleElement()
				.satisfies((event) -> assertThat(event.getRole()).isEqualTo(properties.getOrDefault("valkeyrie.leader.role", "leader")));
		}
		finally {
			first.close();
			second.close();
		}
	}

	private static ConfigurableApplicationContext start(Map<String, String> properties, Class<?>[] configurations) {
		List<String> pairs = new ArrayList<>();
		properties.forEach((name, value) -> pairs.add(name + "=" + value));
		pairs.add("valkeyrie.leader.enabled=true");
		pairs.add("valkeyrie.leader.heartbeat=200ms");
		pairs.add("spring.main.banner-mode=off");
		Class<?>[] sources = new Class<?>[configurations.length + 1];
		sources[0] = LeaderApplication.class;
		System.arraycopy(configurations, 0, sources, 1, configurations.length);
		return new SpringApplicationBuilder(sources).web(WebApplicationType.NONE)
			.properties(pairs.toArray(String[]::new))
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ValkeyrieAutoConfiguration.class, ValkeyrieLockRegistryAutoConfiguration.class })
	static class LeaderApplication {

		@Bean
		LeaderEvents leaderEvents() {
			return new LeaderEvents();
		}

	}

	static class LeaderEvents {

		final List<AbstractLeaderEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		void on(AbstractLeaderEvent event) {
			this.events.add(event);
		}

		long granted() {
			return this.events.stream().filter(OnGrantedEvent.class::isInstance).count();
		}

	}

}
