package io.valkeyrie.store.redis;

import java.net.InetSocketAddress;
import java.net.URI;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.ServerUse;

/**
 * SIGKILL of the master of the Sentinel group of scripts/servers ({@code redis-primary} or,
 * after an earlier fail-over, {@code redis-replica}); the Sentinel promotes the other. Both run
 * with AOF.
 */
@ServerUse(shared = {}, exclusive = "redis-sentinel")
class RedisSentinelFailoverTest extends RedisFailoverTests {

	private static final String MASTER = "valkeyrie";

	@Override
	protected String setup() {
		return "redis-sentinel";
	}

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("redis")
			.endpoints(TestServers.endpoint("redis-sentinel"))
			.option(RedisOptions.SENTINEL_MASTER, MASTER);
	}

	@Override
	protected String masterOf(String namespace) {
		RedisClient client = RedisClient.create();
		try (StatefulRedisSentinelConnection<String, String> sentinel = client
			.connectSentinel(RedisURI.create(TestServers.endpoint("redis-sentinel")))) {
			int port = ((InetSocketAddress) sentinel.sync().getMasterAddrByName(MASTER)).getPort();
			for (String server : new String[] { "redis-primary", "redis-replica" }) {
				if (URI.create(TestServers.endpoint(server)).getPort() == port) {
					return server;
				}
			}
			throw new AssertionError("The Sentinel's master, port " + port + ", is neither redis-primary nor redis-replica");
		}
		finally {
			client.shutdown();
		}
	}

	@Override
	protected void kill(String server) {
		TestServers.kill(server);
	}

	@Override
	protected void start(String server) {
		TestServers.start(server);
	}

}
