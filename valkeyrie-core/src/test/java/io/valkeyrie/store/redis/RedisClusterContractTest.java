package io.valkeyrie.store.redis;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestClusters;

/**
 * The contract suite against the Redis Cluster of scripts/clusters (3 masters, 3 replicas),
 * the store given every node.
 */
class RedisClusterContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("redis").endpoints(TestClusters.endpoints("redis"));
	}

}
