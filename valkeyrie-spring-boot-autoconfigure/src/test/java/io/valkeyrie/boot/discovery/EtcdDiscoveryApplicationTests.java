package io.valkeyrie.boot.discovery;

import java.util.Map;

import io.valkeyrie.store.test.TestServers;

/**
 * Discovery end to end on the etcd test server ({@code scripts/servers}).
 */
class EtcdDiscoveryApplicationTests extends AbstractDiscoveryApplicationTests {

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "etcd", "valkeyrie.etcd.endpoints", TestServers.endpoint("etcd"));
	}

}
