package io.valkeyrie.boot.autoconfigure.integration;

import java.time.Duration;
import java.util.UUID;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties;
import io.valkeyrie.boot.lock.ValkeyrieLeaderInitiator;
import io.valkeyrie.boot.lock.ValkeyrieLockRegistry;
import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.internal.Keys;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of a Spring Integration
 * {@link LockRegistry} backed by the {@link Store}'s locks, and of leader election on it
 * when {@code valkeyrie.leader.enabled} is set.
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class)
@ConditionalOnClass({ LockRegistry.class, Store.class })
@ConditionalOnSingleCandidate(Store.class)
@EnableConfigurationProperties(ValkeyrieProperties.class)
public final class ValkeyrieLockRegistryAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(LockRegistry.class)
	ValkeyrieLockRegistry valkeyrieLockRegistry(Store store, ValkeyrieProperties properties,
			ApplicationEventPublisher eventPublisher) {
		Duration ttl = properties.getLock().getTtl();
		if (ttl == null) {
			ttl = ValkeyrieLockRegistry.defaultTtl(store);
		}
		else if (ttl.compareTo(store.minimumTtl()) < 0) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.lock.ttl", ttl,
					"It is below the " + store.backend() + " store's minimum TTL of " + store.minimumTtl());
		}
		String prefix = properties.getLock().getPrefix();
		try {
			Keys.dir(prefix);
		}
		catch (InvalidKeyException ex) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.lock.prefix", prefix, ex.getMessage());
		}
		ValkeyrieLockRegistry registry = new ValkeyrieLockRegistry(store, prefix, ttl);
		registry.setApplicationEventPublisher(eventPublisher);
		// Losses are rare; a thread each keeps a slow listener off the store's own threads.
		registry.setEventExecutor(new SimpleAsyncTaskExecutor("valkeyrie-lock-event-"));
		return registry;
	}

	@Bean
	@ConditionalOnMissingBean(LockRegistryLeaderInitiator.class)
	@ConditionalOnBooleanProperty("valkeyrie.leader.enabled")
	@ConditionalOnSingleCandidate(LockRegistry.class)
	ValkeyrieLeaderInitiator valkeyrieLeaderInitiator(LockRegistry<?> lockRegistry,
			ValkeyrieProperties properties) {
		ValkeyrieProperties.Leader leader = properties.getLeader();
		// Stopping waits for the leader's release: at most a request to the store and a heartbeat.
		Duration stopTimeout = properties.getRequestTimeout().multipliedBy(2).plus(leader.getHeartbeat());
		ValkeyrieLeaderInitiator initiator = new ValkeyrieLeaderInitiator(lockRegistry,
				new DefaultCandidate(UUID.randomUUID().toString(), leader.getRole()), stopTimeout);
		initiator.setHeartBeatMillis(leader.getHeartbeat().toMillis());
		initiator.setBusyWaitMillis(leader.getBusyWait().toMillis());
		return initiator;
	}

}
