package io.valkeyrie.store.redis;

import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a {@code redis} store is pointed at the Redis Cluster of scripts/clusters: one seed node
 * with option {@code cluster}, the hint when that option is missing, and what is refused.
 */
@ServerUse(shared = "redis-cluster")
class RedisClusterTest {

	private final List<Store> stores = new ArrayList<>();

	@AfterEach
	void closeStores() {
		this.stores.forEach(Store::close);
	}

	/** A replica as the only seed: only a cluster client, which finds the masters, can write through it. */
	@Test
	void oneSeedNodeWithOptionClusterIsEnough() {
		Partitions partitions = partitions();
		RedisClusterNode replica = partitions.stream()
			.filter((node) -> node.is(RedisClusterNode.NodeFlag.REPLICA) && !node.is(RedisClusterNode.NodeFlag.FAIL))
			.findFirst()
			.orElseThrow();
		Store store = open(StoreConfig.builder("redis").endpoints(endpoint(replica)).option(RedisOptions.CLUSTER, "true"));
		store.put("k", "v");
		assertThat(store.get("k").valueAsString()).isEqualTo("v");
	}

	@Test
	void oneClusterNodeWithoutOptionClusterFailsNamingTheOption() {
		Partitions partitions = partitions();
		RedisClusterNode master = partitions.getMasterBySlot(0);
		// A namespace whose slot another master serves: the node answers MOVED.
		String namespace = "elsewhere";
		for (int i = 0; partitions.getMasterBySlot(SlotHash.getSlot("{" + namespace + "}")).equals(master); i++) {
			namespace = "elsewhere-" + i;
		}
		Store store = open(StoreConfig.builder("redis").endpoints(endpoint(master)).namespace(namespace));
		assertThatThrownBy(() -> store.put("k", "v")).isInstanceOf(StoreException.class)
			.hasMessageContaining("MOVED")
			.hasMessageContaining("option 'cluster=true'");
	}

	@Test
	void redisClusterHasOnlyDatabaseZero() {
		assertThatThrownBy(() -> open(StoreConfig.builder("redis").endpoints(TestClusters.endpoints("redis")).option("database", "1")))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("only database 0");
		assertThatThrownBy(() -> open(StoreConfig.builder("redis").endpoints(TestClusters.endpoints("redis"))
			.option(RedisOptions.CLUSTER, "true")
			.option(RedisOptions.SENTINEL_MASTER, "valkeyrie"))).isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("Sentinel or Redis Cluster, not both");
	}

	private Store open(StoreConfig.Builder config) {
		Store store = Stores.open(config.build());
		this.stores.add(store);
		return store;
	}

	private static Partitions partitions() {
		RedisClusterClient client = RedisClusterClient.create(TestClusters.endpoints("redis").stream().map(RedisURI::create).toList());
		try {
			return client.getPartitions();
		}
		finally {
			client.shutdown();
		}
	}

	private static String endpoint(RedisClusterNode node) {
		return "redis://" + node.getUri().getHost() + ":" + node.getUri().getPort();
	}

}
