package io.valkeyrie.sample;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.valkeyrie.store.Store;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A feed client that stops reading fills only its own queue: the other clients get every
 * change, and the stalled one is disconnected once it falls a whole queue behind. Its own
 * context, with a small queue.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, SampleApiTests.SELENIUM_QUIET, "sample.feed.queue-capacity=16" })
class SampleSlowClientTests {

	/** Enough 128 KiB values to fill any loopback socket buffer many times over. */
	private static final int MAX_WRITES = 1_000;

	@LocalServerPort
	int port;

	@Autowired
	Store store;

	@Autowired
	KeyChangeFeed feed;

	@Test
	void aClientThatStopsReadingStallsNobodyAndIsDisconnected() throws Exception {
		int before = this.feed.subscribers();
		try (Socket stalled = new Socket(); SseStream reading = SseStream.open(new SampleClient(this.port), null)) {
			// A small receive window, so the server's writes to it block soon.
			stalled.setReceiveBufferSize(4096);
			stalled.connect(new InetSocketAddress("127.0.0.1", this.port));
			OutputStream out = stalled.getOutputStream();
			out.write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			// Never read from it again.
			await().atMost(SseStream.WAIT)
				.untilAsserted(() -> assertThat(this.feed.subscribers()).isEqualTo(before + 2));

			byte[] value = new byte[128 * 1024];
			int writes = 0;
			// In step with the reading client: it must get each change while the stalled one's writes block.
			while (this.feed.subscribers() > before + 1) {
				assertThat(writes).as("writes before the stalled client was disconnected").isLessThan(MAX_WRITES);
				Arrays.fill(value, (byte) ('a' + writes % 26));
				this.store.put("slow/value", value);
				String expected = new String(value, StandardCharsets.US_ASCII);
				SseStream.Event event = reading.next((candidate) -> candidate.isChangeOf("slow/value"));
				assertThat(event.data().get("value").asString()).as("change %d", writes).isEqualTo(expected);
				writes++;
			}
			assertThat(this.feed.subscribers()).isEqualTo(before + 1);
		}
	}

}
