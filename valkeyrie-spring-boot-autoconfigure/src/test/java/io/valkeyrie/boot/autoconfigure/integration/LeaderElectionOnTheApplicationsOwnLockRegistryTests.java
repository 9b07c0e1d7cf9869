package io.valkeyrie.boot.autoconfigure.integration;

import java.util.Map;
import java.util.UUID;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.test.LeaderElection;
import io.valkeyrie.store.test.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.support.locks.DefaultLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Two applications on the etcd test server that each define their own in-process
 * {@code LockRegistry}: leader election must still run on valkeyrie's registry, so exactly
 * one of them leads (on the application's own registry both would).
 */
@ExtendWith(OutputCaptureExtension.class)
class LeaderElectionOnTheApplicationsOwnLockRegistryTests {

	@Test
	void twoApplicationsWithTheirOwnInProcessLockRegistryElectOneLeader() {
		LeaderElection.assertLeadershipMovesWhenTheLeaderCloses(Map.of("valkeyrie.backend", "etcd",
				"valkeyrie.etcd.endpoints", TestServers.endpoint("etcd"), "valkeyrie.namespace",
				"two-leaders/" + UUID.randomUUID()), OwnLockRegistry.class);
	}

	@Test
	void namingARegistryThatDoesNotExistFailsStartupWithAnAnalysis(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.NONE)
			.properties("valkeyrie.leader.enabled=true", "valkeyrie.leader.lock-registry=jdbcLocks")
			.run()
			.close());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("valkeyrie.leader.lock-registry names 'jdbcLocks', which is not a LockRegistry bean.")
			.contains("Set valkeyrie.leader.lock-registry to the name of the LockRegistry bean leader election must use "
					+ "(lock registries in this application: ownLockRegistry, valkeyrieLeaderLockRegistry)");
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnLockRegistry {

		@Bean
		LockRegistry<?> ownLockRegistry() {
			return new DefaultLockRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ValkeyrieAutoConfiguration.class, ValkeyrieLockRegistryAutoConfiguration.class })
	static class Application extends OwnLockRegistry {

	}

}
