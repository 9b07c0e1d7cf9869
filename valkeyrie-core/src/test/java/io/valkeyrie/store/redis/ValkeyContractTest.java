package io.valkeyrie.store.redis;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract suite against Valkey 8.0 ({@code scripts/versions start valkey-8.0}) through the
 * {@code redis} store: Valkey speaks the Redis protocol and keeps Redis 7's functions.
 */
@ServerUse(shared = "valkey-8.0")
class ValkeyContractTest extends StoreContractTests {

	private static final String SERVER = "valkey-8.0";

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("redis").endpoints(TestServers.versionEndpoint(SERVER));
	}

	@Test
	void valkey80RunsTheScriptsAsFunctionsAndReportsItsVersion() {
		try (RedisServerStats server = new RedisServerStats(TestServers.versionEndpoint(SERVER))) {
			String version = server.info("server", "valkey_version");
			assertThat(version).startsWith("8.0.");
			long fcall = server.calls("fcall");
			Store store = open();
			assertThat(store.serverInfo()).containsEntry("valkeyVersion", version);
			store.put("k", "v");
			assertThat(server.commands().functionList("valkeyrie_*")).isNotEmpty();
			assertThat(server.calls("fcall")).isGreaterThan(fcall);
		}
	}

}
