package io.valkeyrie.benchmarks.lock;

import java.net.URI;
import java.util.concurrent.locks.Lock;

import org.apache.curator.framework.CuratorFramework;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.zookeeper.lock.ZookeeperLockRegistry;

import io.valkeyrie.benchmarks.BenchServers;
import io.valkeyrie.benchmarks.kv.Curators;

/**
 * The reference: a lock of Spring Integration's {@code RedisLockRegistry} (spin or
 * pub/sub, default settings otherwise) or {@code ZookeeperLockRegistry}, each with its own
 * registry and connection.
 */
final class SpringIntegrationLocker implements Locker {

	private final Lock lock;

	private final Runnable close;

	private SpringIntegrationLocker(Lock lock, Runnable close) {
		this.lock = lock;
		this.close = close;
	}

	static Locker redis(String key, boolean pubSub) {
		URI uri = URI.create(BenchServers.endpoint("redis"));
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
		factory.afterPropertiesSet();
		factory.start();
		RedisLockRegistry registry = new RedisLockRegistry(factory, "bench-si-locks");
		if (pubSub) {
			registry.setRedisLockType(RedisLockRegistry.RedisLockType.PUB_SUB_LOCK);
		}
		return new SpringIntegrationLocker(registry.obtain(key), () -> {
			registry.destroy();
			factory.destroy();
		});
	}

	static Locker zookeeper(String key) {
		CuratorFramework client = Curators.start();
		ZookeeperLockRegistry registry = new ZookeeperLockRegistry(client, "/bench-si-locks");
		return new SpringIntegrationLocker(registry.obtain(key), () -> {
			registry.destroy();
			client.close();
		});
	}

	@Override
	public void lock() {
		this.lock.lock();
	}

	@Override
	public void unlock() {
		this.lock.unlock();
	}

	@Override
	public void close() {
		this.close.run();
	}

}
