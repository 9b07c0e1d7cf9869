package io.valkeyrie.benchmarks.lock;

import java.net.URI;
import java.util.concurrent.locks.Lock;

import org.apache.curator.framework.CuratorFramework;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.integration.zookeeper.lock.ZookeeperLockRegistry;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.benchmarks.kv.Curators;

/**
 * The reference: Spring Integration's {@code RedisLockRegistry} (spin or pub/sub, default
 * settings otherwise) or {@code ZookeeperLockRegistry}, with a connection of its own.
 */
final class SpringIntegrationClient implements LockClient {

	private final LockRegistry<?> registry;

	private final Runnable close;

	private SpringIntegrationClient(LockRegistry<?> registry, Runnable close) {
		this.registry = registry;
		this.close = close;
	}

	static LockClient redis(boolean pubSub) {
		URI uri = URI.create(BenchServers.endpoint("redis"));
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
		factory.afterPropertiesSet();
		factory.start();
		RedisLockRegistry registry = new RedisLockRegistry(factory, "bench-si-locks");
		if (pubSub) {
			registry.setRedisLockType(RedisLockRegistry.RedisLockType.PUB_SUB_LOCK);
		}
		return new SpringIntegrationClient(registry, () -> {
			registry.destroy();
			factory.destroy();
		});
	}

	static LockClient zookeeper() {
		CuratorFramework client = Curators.start();
		ZookeeperLockRegistry registry = new ZookeeperLockRegistry(client, "/bench-si-locks");
		return new SpringIntegrationClient(registry, () -> {
			registry.destroy();
			client.close();
		});
	}

	@Override
	public Locker locker(String key) {
		Lock lock = this.registry.obtain(key);
		return Locker.of(lock::lock, lock::unlock);
	}

	@Override
	public void close() {
		this.close.run();
	}

}
