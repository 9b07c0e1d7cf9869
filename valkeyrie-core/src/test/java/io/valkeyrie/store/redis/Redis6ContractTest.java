package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.Timing;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The contract suite against Redis 6.0 ({@code scripts/versions start redis-6.0}), which has no
 * functions: the store runs every script with {@code EVALSHA}. The default suite runs on Redis
 * 7.0 with functions.
 */
@ServerUse(shared = "redis-6.0")
class Redis6ContractTest extends StoreContractTests {

	private static final String SERVER = "redis-6.0";

	/**
	 * The least-privilege commands of docs/security.md as Redis 6.0 takes them: no functions, no
	 * channel rules (6.2), and {@code ZRANGEBYLEX}/{@code ZRANGEBYSCORE} for ZRANGE's 6.2 options.
	 */
	static final String REDIS6_COMMANDS = "-@all +hello +ping +info +client|setname +evalsha +eval +script|load "
			+ "+get +exists +psetex +subscribe +unsubscribe +del +getrange +incr +pexpire +pexpireat +pttl +publish "
			+ "+set +time +xadd +xrange +zadd +zrange +zrangebylex +zrangebyscore +zrem +zremrangebyscore +zscore";

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("redis").endpoints(TestServers.versionEndpoint(SERVER));
	}

	@Test
	void redis60HasNoFunctionsSoEveryScriptRunsWithEvalsha() {
		try (RedisServerStats server = new RedisServerStats(TestServers.versionEndpoint(SERVER))) {
			assertThat(server.info("server", "redis_version")).startsWith("6.0.");
			assertThatThrownBy(() -> server.commands().functionList()).hasMessageContaining("unknown command");
			long evalsha = server.calls("evalsha");
			Store store = open();
			store.put("k", "v1");
			store.atomicPut("k", "v2".getBytes(StandardCharsets.UTF_8), store.get("k"), WriteOptions.NONE);
			assertThat(store.list("")).extracting(KVPair::valueAsString).containsExactly("v2");
			try (LockLease lease = store.newLock("l", LockOptions.builder().ttl(Duration.ofSeconds(30)).build()).lock()) {
				assertThat(lease.fencingToken()).isPositive();
			}
			// put, atomicPut, list, lock and unlock: five scripts at least, none of them called as a function.
			assertThat(server.calls("evalsha") - evalsha).isGreaterThanOrEqualTo(5);
			assertThat(server.calls("fcall")).isZero();
		}
	}

	@Test
	void aLeastPrivilegedUserCanUseTheStoreOnRedis6() {
		String user = "vk6-" + UUID.randomUUID().toString().substring(0, 8);
		String password = "s3cret-" + UUID.randomUUID();
		try (RedisServerStats server = new RedisServerStats(TestServers.versionEndpoint(SERVER))) {
			server.aclSetuser(user, "on >" + password + " resetkeys ~valkeyrie{" + namespace() + "}:* " + REDIS6_COMMANDS);
			try {
				Store store = open(storeConfig().namespace(namespace()).credentials(user, password));
				store.put("a/b", "1");
				store.put("a/t", "2".getBytes(StandardCharsets.UTF_8), WriteOptions.ttl(Duration.ofSeconds(3)));
				assertThat(store.list("a")).extracting(KVPair::key).containsExactly("a/b", "a/t");
				// The expiry sweep takes the due keys by score, and empties the expiry set.
				String expirySet = "valkeyrie{" + namespace() + "}:x";
				await().atMost(Timing.seconds(15)).until(() -> server.commands().zcard(expirySet) == 0);
				assertThat(store.list("a")).extracting(KVPair::key).containsExactly("a/b");
				try (LockLease lease = store.newLock("l", LockOptions.builder().ttl(Duration.ofSeconds(30)).build()).lock()) {
					assertThat(lease.fencingToken()).isPositive();
				}
				store.deleteTree("a");
				assertThat(store.exists("a/b")).isFalse();
			}
			finally {
				server.commands().aclDeluser(user);
			}
		}
	}

}
