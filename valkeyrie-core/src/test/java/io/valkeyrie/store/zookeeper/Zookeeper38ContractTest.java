package io.valkeyrie.store.zookeeper;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.ServerUse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract suite against ZooKeeper 3.8 ({@code scripts/versions start zookeeper-3.8}); the
 * default suite runs on ZooKeeper 3.9.
 */
@ServerUse(shared = "zookeeper-3.8")
class Zookeeper38ContractTest extends StoreContractTests {

	private static final String SERVER = "zookeeper-3.8";

	@Override
	protected StoreConfig.Builder storeConfig() {
		// A short session keeps the TTL tests short: the minimum TTL is the session timeout.
		return StoreConfig.builder("zookeeper").endpoints(TestServers.versionEndpoint(SERVER)).option("session-timeout", "2s");
	}

	@Test
	void theServerIsZookeeper38() throws IOException {
		// The client protocol has no version request; the "srvr" four-letter command tells it.
		try (Socket socket = new Socket()) {
			socket.connect(TestServers.address(TestServers.versionEndpoint(SERVER)), 2000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write("srvr".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
			assertThat(answer).contains("Zookeeper version: 3.8.");
		}
	}

}
