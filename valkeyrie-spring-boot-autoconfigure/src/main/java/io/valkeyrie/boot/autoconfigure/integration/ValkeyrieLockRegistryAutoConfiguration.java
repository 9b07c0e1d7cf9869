package io.valkeyrie.boot.autoconfigure.integration;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.autoconfigure.ValkeyrieProperties;
import io.valkeyrie.boot.lock.LockRenewal;
import io.valkeyrie.boot.lock.ValkeyrieLeaderInitiator;
import io.valkeyrie.boot.lock.ValkeyrieLockRegistry;
import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.Keys;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
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
 * <p>
 * Leader election always runs on valkeyrie's registry unless
 * {@code valkeyrie.leader.lock-registry} names another bean: when the application defines
 * its own {@code LockRegistry} (the default registry then backs off), the election gets a
 * valkeyrie registry of its own that injection by type does not see.
 */
@AutoConfiguration(after = ValkeyrieAutoConfiguration.class)
@ConditionalOnClass({ LockRegistry.class, Store.class })
@ConditionalOnSingleCandidate(Store.class)
@EnableConfigurationProperties(ValkeyrieProperties.class)
public final class ValkeyrieLockRegistryAutoConfiguration {

	private static ValkeyrieLockRegistry lockRegistry(Store store, ValkeyrieProperties properties,
			ApplicationEventPublisher eventPublisher) {
		Duration ttl = properties.getLock().getTtl();
		LockRenewal renewal = properties.getLock().getRenewal();
		// Unknown while a store started without its server has not connected (fail-fast=false).
		Duration min = ValkeyrieLockRegistry.knownMinimumLockTtl(store);
		if (ttl == null) {
			ttl = (min != null) ? ValkeyrieLockRegistry.defaultTtl(store) : null;
		}
		else if ((ttl.isNegative() || ttl.isZero())) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.lock.ttl", BackendOptions.format(ttl), "It must be positive");
		}
		else if (renewal == LockRenewal.AUTOMATIC && min != null && ttl.compareTo(min) < 0) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.lock.ttl", BackendOptions.format(ttl),
					"It is below the " + store.backend() + " store's minimum lock TTL of " + BackendOptions.format(min)
							+ ", the shortest TTL a lock that renews itself can keep");
		}
		String prefix = properties.getLock().getPrefix();
		try {
			Keys.dir(prefix);
		}
		catch (InvalidKeyException ex) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.lock.prefix", prefix, ex.getMessage());
		}
		ValkeyrieLockRegistry registry = new ValkeyrieLockRegistry(store, prefix, ttl, renewal);
		registry.setApplicationEventPublisher(eventPublisher);
		// Losses are rare; a thread each keeps a slow listener off the store's own threads.
		registry.setEventExecutor(new SimpleAsyncTaskExecutor("valkeyrie-lock-event-"));
		return registry;
	}

	@Bean
	@ConditionalOnMissingBean(LockRegistry.class)
	ValkeyrieLockRegistry valkeyrieLockRegistry(Store store, ValkeyrieProperties properties,
			ApplicationEventPublisher eventPublisher) {
		return lockRegistry(store, properties, eventPublisher);
	}

	/**
	 * The application replaced the lock registry with its own (possibly in-process): the
	 * election still needs valkeyrie's. Not a default candidate, so the application's
	 * {@code LockRegistry} injection points keep getting its own. Declared after
	 * {@link #valkeyrieLockRegistry}, whose registration its condition checks.
	 */
	@Bean(defaultCandidate = false)
	@ConditionalOnBooleanProperty("valkeyrie.leader.enabled")
	@ConditionalOnMissingBean(ValkeyrieLockRegistry.class)
	ValkeyrieLockRegistry valkeyrieLeaderLockRegistry(Store store, ValkeyrieProperties properties,
			ApplicationEventPublisher eventPublisher) {
		return lockRegistry(store, properties, eventPublisher);
	}

	@Bean
	@ConditionalOnMissingBean(LockRegistryLeaderInitiator.class)
	@ConditionalOnBooleanProperty("valkeyrie.leader.enabled")
	ValkeyrieLeaderInitiator valkeyrieLeaderInitiator(ListableBeanFactory beanFactory,
			ValkeyrieProperties properties) {
		ValkeyrieProperties.Leader leader = properties.getLeader();
		LockRegistry<?> lockRegistry = electionRegistry(beanFactory, leader.getLockRegistry());
		// Stopping waits for the leader's release: at most a request to the store and a heartbeat.
		Duration stopTimeout = properties.getRequestTimeout().multipliedBy(2).plus(leader.getHeartbeat());
		ValkeyrieLeaderInitiator initiator = new ValkeyrieLeaderInitiator(lockRegistry,
				new DefaultCandidate(UUID.randomUUID().toString(), leader.getRole()), stopTimeout);
		initiator.setHeartBeatMillis(leader.getHeartbeat().toMillis());
		initiator.setBusyWaitMillis(leader.getBusyWait().toMillis());
		return initiator;
	}

	private static LockRegistry<?> electionRegistry(ListableBeanFactory beanFactory, @Nullable String name) {
		if (name != null) {
			if (!beanFactory.containsBean(name) || !beanFactory.isTypeMatch(name, LockRegistry.class)) {
				throw new LeaderLockRegistryException(name,
						List.of(beanFactory.getBeanNamesForType(LockRegistry.class)));
			}
			return beanFactory.getBean(name, LockRegistry.class);
		}
		String[] valkeyrie = beanFactory.getBeanNamesForType(ValkeyrieLockRegistry.class);
		if (valkeyrie.length != 1) {
			throw new LeaderLockRegistryException(null, List.of(valkeyrie));
		}
		return beanFactory.getBean(valkeyrie[0], ValkeyrieLockRegistry.class);
	}

}
