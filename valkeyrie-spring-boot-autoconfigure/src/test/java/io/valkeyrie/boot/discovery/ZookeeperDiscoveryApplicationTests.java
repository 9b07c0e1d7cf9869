package io.valkeyrie.boot.discovery;

import java.util.Map;

import io.valkeyrie.store.test.TestServers;

/**
 * Discovery end to end on the ZooKeeper test server ({@code scripts/servers}).
 */
class ZookeeperDiscoveryApplicationTests extends AbstractDiscoveryApplicationTests {

	@Override
	protected Map<String, String> backendProperties() {
		// Keep-alive keys live as long as the session: its timeout is the store's minimum TTL (10 s by default).
		return Map.of("valkeyrie.backend", "zookeeper", "valkeyrie.zookeeper.endpoints", TestServers.endpoint("zookeeper"),
				"valkeyrie.zookeeper.session-timeout", "6s");
	}

}
