package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract suite against Redis 6.0 ({@code scripts/versions start redis-6.0}), which has no
 * functions: the store runs every script with {@code EVALSHA}. The default suite runs on Redis
 * 7.0 with functions.
 */
class Redis6ContractTest extends StoreContractTests {

	private static final String SERVER = "redis-6.0";

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

}
