package io.valkeyrie.boot.discovery;

import java.util.Map;

import io.valkeyrie.store.test.TestServers;

/**
 * Discovery end to end on the Redis test server ({@code scripts/servers}).
 */
class RedisDiscoveryApplicationTests extends AbstractDiscoveryApplicationTests {

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "redis", "valkeyrie.redis.endpoints", TestServers.endpoint("redis"));
	}

}
