package io.valkeyrie.store.redis;

import java.util.List;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL of the Redis Cluster master (of scripts/clusters) that serves the namespace's slot;
 * its replica is promoted by the cluster.
 */
@ServerUse(shared = {}, exclusive = "redis-cluster")
class RedisClusterFailoverTest extends RedisFailoverTests {

	@Override
	protected String setup() {
		return "redis-cluster";
	}

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("redis").endpoints(TestClusters.endpoints("redis"));
	}

	@Override
	protected String masterOf(String namespace) {
		return memberServing(namespace);
	}

	/** The member ({@code redis-N}, N its place in the endpoints) that is master of a namespace's slot now. */
	static String memberServing(String namespace) {
		return memberServing(namespace, TestClusters.endpoints("redis"));
	}

	/** As {@link #memberServing(String)}, asking the members at {@code endpoints} (some may be down). */
	static String memberServing(String namespace, List<String> endpoints) {
		RedisClusterClient client = RedisClusterClient.create(endpoints.stream().map(RedisURI::create).toList());
		try {
			RedisClusterNode node = client.getPartitions().getMasterBySlot(SlotHash.getSlot("{" + namespace + "}"));
			String endpoint = "redis://" + node.getUri().getHost() + ":" + node.getUri().getPort();
			int index = endpoints.indexOf(endpoint);
			assertThat(index).as("the master %s is one of %s", endpoint, endpoints).isNotNegative();
			return "redis-" + (index + 1);
		}
		finally {
			client.shutdown();
		}
	}

	@Override
	protected void kill(String server) {
		TestClusters.kill(server);
	}

	@Override
	protected void start(String server) {
		TestClusters.start(server);
	}

}
