package io.valkeyrie.store.etcd;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract suite against etcd 3.5 ({@code scripts/versions start etcd-3.5}); the default
 * suite runs on etcd 3.4.
 */
@ServerUse(shared = "etcd-3.5")
class Etcd35ContractTest extends StoreContractTests {

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("etcd").endpoints(TestServers.versionEndpoint("etcd-3.5"));
	}

	@Test
	void theServerIsEtcd35() {
		assertThat(open().serverInfo().get("version")).asString().startsWith("3.5.");
	}

}
