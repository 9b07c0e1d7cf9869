package io.valkeyrie.store.zookeeper;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import io.valkeyrie.store.test.TestServers;
import io.valkeyrie.store.test.ServerUse;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.WatchEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

	/**
	 * A 3.8 server sends watch events without their zxid, so the feed cannot match a key's event
	 * to the journal entry of the same write: a burst from another client must still arrive whole.
	 */
	@Test
	void aBurstFromAnotherClientArrivesWholeAndInOrderWithoutEventZxids() {
		Store store = open();
		Store writer = openSecond();
		List<String> puts = new CopyOnWriteArrayList<>();
		int count = 300;
		store.watch("k", (event) -> {
			if (event instanceof WatchEvent.Put put) {
				puts.add(put.pair().valueAsString());
			}
		});
		for (int i = 0; i < count; i++) {
			writer.put("k", "v" + i);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> puts.contains("v" + (count - 1)));
		assertThat(puts).containsExactlyElementsOf(IntStream.range(0, count).mapToObj((i) -> "v" + i).toList());
	}

}
