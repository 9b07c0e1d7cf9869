package io.valkeyrie.store.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.internal.HostAndPort;
import io.lettuce.core.resource.DnsResolvers;
import io.lettuce.core.resource.MappingSocketAddressResolver;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.FreezingProxy;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.Timing;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.api.AfterEach;

/**
 * The contract suite against the Redis Cluster of scripts/clusters (3 masters, 3 replicas),
 * the store given every node.
 */
@ServerUse(shared = "redis-cluster")
class RedisClusterContractTest extends StoreContractTests {

	private final List<AutoCloseable> resources = new ArrayList<>();

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("redis").endpoints(TestClusters.endpoints("redis"));
	}

	/**
	 * The cluster tells its clients the real addresses of its nodes, so a proxy in front of one
	 * seed node would not see the store's calls: the store's client maps the address of the
	 * master that holds the namespace's slot to the proxy instead.
	 */
	@Override
	protected ProxiedStore openThroughFreezingProxy(StoreConfig config) throws IOException {
		List<String> endpoints = config.endpoints();
		String master = masterOf(config.namespace(), endpoints);
		FreezingProxy proxy = new FreezingProxy(master);
		this.resources.add(proxy);
		HostAndPort target = HostAndPort.parse(master);
		HostAndPort through = HostAndPort.parse(proxy.endpoint());
		RedisStore store = RedisStore.open(config.toBuilder().requestTimeout(Timing.seconds(30)).build(),
				(resources) -> resources.socketAddressResolver(MappingSocketAddressResolver.create(DnsResolvers.UNRESOLVED,
						(address) -> address.equals(target) ? through : address)));
		this.resources.add(store);
		return new ProxiedStore(store, proxy);
	}

	@AfterEach
	void closeResources() throws Exception {
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
		this.resources.clear();
	}

	/** host:port of the master that serves the slot of the namespace's keys. */
	private static String masterOf(String namespace, List<String> endpoints) {
		RedisClusterClient client = RedisClusterClient.create(endpoints.stream().map(RedisURI::create).toList());
		try {
			int slot = SlotHash.getSlot("{" + namespace + "}");
			RedisClusterNode node = client.getPartitions().getMasterBySlot(slot);
			return node.getUri().getHost() + ":" + node.getUri().getPort();
		}
		finally {
			client.shutdown();
		}
	}

}
