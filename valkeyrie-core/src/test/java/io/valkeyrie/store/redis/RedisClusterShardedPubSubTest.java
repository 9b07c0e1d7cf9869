package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.ServerUse;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code redis} store on the Redis Cluster of scripts/clusters (Redis 7.0) publishes its
 * changes and unlocks with {@code SPUBLISH} on shard channels of its namespace's slot, which
 * only that slot's master serves, and follows the slot when its master is killed and a replica
 * takes over.
 */
@ServerUse(shared = {}, exclusive = "redis-cluster")
class RedisClusterShardedPubSubTest {

	private static final String USER = "valkeyrie-no-command";

	private static final String PASSWORD = "no-command-secret";

	private final List<Store> stores = new ArrayList<>();

	/** Read while every member runs: a killed one would fail the reachability check. */
	private final List<String> endpoints = TestClusters.endpoints("redis");

	@AfterEach
	void closeStores() {
		this.stores.forEach(Store::close);
	}

	@Test
	void changesGoThroughShardChannelsOnTheSlotsMasterOnly() {
		String namespace = "sharded/" + UUID.randomUUID().toString().substring(0, 8);
		Store watcher = open(namespace);
		Store writer = open(namespace);
		Map<String, String> seen = new ConcurrentHashMap<>();
		watcher.watchTree("", (event) -> event.current().values().forEach((pair) -> seen.put(pair.key(), pair.valueAsString())));
		writer.put("a", "1");
		await().atMost(Timing.seconds(10)).until(() -> "1".equals(seen.get("a")));

		String master = RedisClusterFailoverTest.memberServing(namespace, this.endpoints);
		RedisLayout layout = layout(namespace);
		for (String member : members()) {
			long shard = shardSubscribers(member, layout.changes());
			long plain = plainSubscribers(member, layout.changes());
			assertThat(plain).as("plain subscribers of the change channel on %s", member).isZero();
			if (member.equals(master)) {
				assertThat(shard).as("shard subscribers of the change channel on the slot's master %s", member).isEqualTo(1);
				// One unlock channel per store (…:u:<store id>), each a shard channel with its store as subscriber.
				assertThat(shardChannels(member, text(layout.unlocks()) + "*")).as("shard unlock channels").isEqualTo(2);
			}
			else {
				assertThat(shard).as("shard subscribers of the change channel on %s (not the slot's master)", member).isZero();
			}
		}
	}

	/** Without sharded pub/sub (here: a user that may not SPUBLISH) the store publishes with plain PUBLISH. */
	@Test
	void withoutShardedPubSubChangesGoThroughAPlainChannel() {
		String namespace = "plain/" + UUID.randomUUID().toString().substring(0, 8);
		List<String> members = members();
		members.forEach((member) -> onMember(member, (redis) -> {
			redis.sync().aclSetuser(USER, AclSetuserArgs.Builder.on().addPassword(PASSWORD).allKeys().allChannels().allCommands()
				.removeCommand(CommandType.SPUBLISH));
			return 0L;
		}));
		try {
			Store watcher = open(StoreConfig.builder("redis").credentials(USER, PASSWORD), namespace);
			Store writer = open(StoreConfig.builder("redis").credentials(USER, PASSWORD), namespace);
			Map<String, String> seen = new ConcurrentHashMap<>();
			watcher.watchTree("", (event) -> event.current().values().forEach((pair) -> seen.put(pair.key(), pair.valueAsString())));
			writer.put("a", "1");
			await().atMost(Timing.seconds(10)).until(() -> "1".equals(seen.get("a")));
			RedisLayout layout = layout(namespace);
			assertThat(members.stream().mapToLong((member) -> plainSubscribers(member, layout.changes())).sum())
				.as("plain subscribers of the change channel, all nodes").isEqualTo(1);
			assertThat(members.stream().mapToLong((member) -> shardSubscribers(member, layout.changes())).sum())
				.as("shard subscribers of the change channel, all nodes").isZero();
		}
		finally {
			closeStores();
			this.stores.clear();
			members.forEach((member) -> onMember(member, (redis) -> redis.sync().aclDeluser(USER)));
		}
	}

	@Test
	void aWatchFollowsTheSlotToTheReplicaThatReplacesAKilledMaster() {
		String namespace = "sharded-failover/" + UUID.randomUUID().toString().substring(0, 8);
		String master = RedisClusterFailoverTest.memberServing(namespace, this.endpoints);
		Store watcher = open(namespace);
		Store writer = open(namespace);
		Map<String, KVPair> seen = new ConcurrentHashMap<>();
		watcher.watchTree("", (event) -> event.current().values().forEach((pair) -> seen.put(pair.key(), pair)));
		writer.put("before", "1");
		await().atMost(Timing.seconds(10)).until(() -> seen.containsKey("before"));
		TestClusters.kill(master);
		try {
			long killed = System.nanoTime();
			// Bounded: the replica is promoted within a few seconds of the node timeout (1 s).
			await().atMost(Timing.seconds(30)).ignoreException(StoreUnavailableException.class).until(() -> {
				writer.put("after", "2");
				return true;
			});
			await().atMost(Timing.seconds(30)).until(() -> seen.containsKey("after"));
			String promoted = RedisClusterFailoverTest.memberServing(namespace, this.endpoints);
			assertThat(promoted).isNotEqualTo(master);
			// The watch hears of changes through the new master's shard channel, not only its resync.
			for (int i = 0; i < 5; i++) {
				writer.put("later", Integer.toString(i));
			}
			await().atMost(Timing.seconds(10)).until(() -> seen.containsKey("later") && seen.get("later").valueAsString().equals("4"));
			assertThat(shardSubscribers(promoted, layout(namespace).changes())).as("shard subscribers on the new master %s", promoted)
				.isEqualTo(1);
			System.out.printf("SHARDED-FAILOVER: master %s killed, %s serves the slot; watch saw the first write after it %d ms after the kill%n",
					master, promoted, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
		}
		finally {
			TestClusters.start(master);
		}
	}

	private Store open(String namespace) {
		return open(StoreConfig.builder("redis"), namespace);
	}

	private Store open(StoreConfig.Builder config, String namespace) {
		Store store = Stores.open(config.endpoints(this.endpoints).namespace(namespace).requestTimeout(Duration.ofSeconds(2)).build());
		this.stores.add(store);
		return store;
	}

	private static RedisLayout layout(String namespace) {
		RedisOptions options = RedisOptions.of(StoreConfig.builder("redis").endpoints("redis://unused:1").namespace(namespace).build());
		return new RedisLayout(options.keyPrefix(), namespace, 0, 0, false);
	}

	private List<String> members() {
		List<String> members = new ArrayList<>();
		for (int i = 1; i <= this.endpoints.size(); i++) {
			members.add("redis-" + i);
		}
		return members;
	}

	private long shardSubscribers(String member, byte[] channel) {
		return onMember(member, (redis) -> redis.sync().pubsubShardNumsub(text(channel)).get(text(channel)));
	}

	private long shardChannels(String member, String pattern) {
		return onMember(member, (redis) -> (long) redis.sync().pubsubShardChannels(pattern).size());
	}

	private long plainSubscribers(String member, byte[] channel) {
		return onMember(member, (redis) -> redis.sync().pubsubNumsub(text(channel)).get(text(channel)));
	}

	private long onMember(String member, java.util.function.Function<StatefulRedisConnection<String, String>, Long> command) {
		String endpoint = this.endpoints.get(Integer.parseInt(member.substring("redis-".length())) - 1);
		RedisClient client = RedisClient.create(RedisURI.create(endpoint));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			Long count = command.apply(connection);
			return (count != null) ? count : 0;
		}
		finally {
			client.shutdown();
		}
	}

	private static String text(byte[] channel) {
		return new String(channel, StandardCharsets.UTF_8);
	}

}
