package io.valkeyrie.sample;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live feed over real HTTP: clients read {@code /api/events} while other requests
 * write, see each change arrive as a server-sent event whose id is the change's index, lose
 * nothing when another subscriber dies, and resume after a reconnect from
 * {@code Last-Event-ID}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, SampleApiTests.SELENIUM_QUIET })
class SampleFeedTests {

	private static final int BURST = 1_000;

	@LocalServerPort
	int port;

	@Autowired
	Store store;

	@Autowired
	KeyChangeFeed feed;

	final List<SseStream> streams = new ArrayList<>();

	@AfterEach
	void unsubscribe() throws Exception {
		for (SseStream stream : this.streams) {
			stream.close();
		}
	}

	@Test
	void aNewSubscriberGetsTheWholeStateThenEveryChange() throws Exception {
		SampleClient client = client();
		client.put("/api/kv/feed/state/a", "before");
		SseStream stream = open(null);
		SseStream.Event snapshot = stream.next((event) -> true);
		assertThat(snapshot.name()).isEqualTo("snapshot");
		assertThat(snapshot.data().get("resync").asBoolean()).isFalse();
		assertThat(snapshot.data().get("pairs").valueStream()).anySatisfy((pair) -> {
			assertThat(pair.get("key").asString()).isEqualTo("feed/state/a");
			assertThat(pair.get("value").asString()).isEqualTo("before");
		});

		client.put("/api/kv/feed/state/a", "one");
		SseStream.Event put = stream.next((event) -> event.isChangeOf("feed/state/a"));
		assertThat(put.data().get("type").asString()).isEqualTo("put");
		assertThat(put.data().get("value").asString()).isEqualTo("one");
		long index = SampleClient.json(client.get("/api/kv/feed/state/a")).get("index").asLong();
		assertThat(put.data().get("index").asLong()).isEqualTo(index);
		assertThat(put.id()).isEqualTo(String.valueOf(index));

		client.delete("/api/kv/feed/state/a");
		SseStream.Event delete = stream.next((event) -> event.isChangeOf("feed/state/a"));
		assertThat(delete.data().get("type").asString()).isEqualTo("delete");
		assertThat(Long.parseLong(delete.id())).isGreaterThan(index);
	}

	@Test
	void changesArriveInOrder() throws Exception {
		SseStream stream = open(null);
		List<String> values = List.of("1", "2", "3", "4", "5");
		values.forEach((value) -> client().put("/api/kv/feed/order", value));
		for (String value : values) {
			assertThat(stream.next((event) -> event.isChangeOf("feed/order")).data().get("value").asString())
				.isEqualTo(value);
		}
	}

	@Test
	void aKeyThatExpiresArrivesAsADelete() throws Exception {
		SseStream stream = open(null);
		client().put("/api/kv/feed/ttl?ttl=1s", "short");
		assertThat(stream.next((event) -> event.isChangeOf("feed/ttl")).data().get("type").asString())
			.isEqualTo("put");
		assertThat(stream.next((event) -> event.isChangeOf("feed/ttl")).data().get("type").asString())
			.isEqualTo("delete");
	}

	/**
	 * Subscribers that drop their connection in the middle of a burst (a closed browser tab)
	 * are removed without costing the one that stays a single change.
	 */
	@Test
	void subscribersThatDisconnectMidStreamCostTheOneThatStaysNothing() throws Exception {
		int before = this.feed.subscribers();
		List<SseStream> leaving = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			leaving.add(open(null));
		}
		// And two that vanish without a goodbye: the connection reset (a crashed browser, a dropped link).
		List<Socket> resetting = List.of(SseStream.openRaw(this.port), SseStream.openRaw(this.port));
		SseStream staying = open(null);

		// Through the API, as the page's users write: the burst takes long enough for the server
		// to notice the closed connections while it is still sending.
		SampleClient writer = client();
		CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
			for (int i = 0; i < BURST; i++) {
				assertThat(writer.put("/api/kv/feed/burst", String.valueOf(i)).statusCode()).isEqualTo(204);
			}
		});
		for (int i = 0; i < leaving.size(); i++) {
			String leaveAt = String.valueOf(BURST / 10 * (i + 1));
			leaving.get(i).next((event) -> event.isChangeOf("feed/burst")
					&& event.data().get("value").asString().equals(leaveAt));
			leaving.get(i).close();
			if (i < resetting.size()) {
				resetting.get(i).setSoLinger(true, 0);
				resetting.get(i).close();
			}
		}

		long previous = 0;
		for (int i = 0; i < BURST; i++) {
			SseStream.Event event = staying.next((candidate) -> candidate.isChangeOf("feed/burst"));
			assertThat(event.data().get("value").asString()).as("change %d of the burst", i)
				.isEqualTo(String.valueOf(i));
			assertThat(event.data().get("index").asLong()).isGreaterThan(previous);
			previous = event.data().get("index").asLong();
		}
		writes.get(60, TimeUnit.SECONDS);
		// The dead subscribers are gone (found out on their next write: the burst, or the leader job's).
		await().atMost(SseStream.WAIT)
			.untilAsserted(() -> assertThat(this.feed.subscribers()).isLessThanOrEqualTo(before + 1));
	}

	@Test
	void aReconnectWithLastEventIdGetsExactlyTheChangesItMissed() throws Exception {
		SampleClient client = client();
		SseStream first = open(null);
		client.put("/api/kv/feed/resume/a", "1");
		client.put("/api/kv/feed/resume/b", "2");
		first.next((event) -> event.isChangeOf("feed/resume/a"));
		String lastEventId = first.next((event) -> event.isChangeOf("feed/resume/b")).id();
		first.close();

		client.put("/api/kv/feed/resume/a", "3");
		client.delete("/api/kv/feed/resume/b");
		client.put("/api/kv/feed/resume/c", "4");

		SseStream second = open(lastEventId);
		client.put("/api/kv/feed/resume/marker", "now");
		List<SseStream.Event> received = second.until((event) -> event.isChangeOf("feed/resume/marker"));
		assertThat(received).noneMatch((event) -> event.name().equals("snapshot"));
		assertThat(received.stream().filter((event) -> event.isChangeOf("feed/resume/")).map(SseStreamView::of))
			.containsExactly(new SseStreamView("put", "feed/resume/a", "3"),
					new SseStreamView("delete", "feed/resume/b", null),
					new SseStreamView("put", "feed/resume/c", "4"),
					new SseStreamView("put", "feed/resume/marker", "now"));
		assertThat(received).filteredOn((event) -> event.name().equals("change")).allSatisfy((event) -> {
			assertThat(Long.parseLong(event.id())).isGreaterThan(Long.parseLong(lastEventId));
			assertThat(event.data().get("index").asString()).isEqualTo(event.id());
		});
	}

	@Test
	void aReconnectFromAnIndexTheStoreCannotResumeFromGetsTheWholeStateAsAResync() throws Exception {
		client().put("/api/kv/feed/unknown/a", "present");
		SseStream stream = open(String.valueOf(Long.MAX_VALUE / 2));
		SseStream.Event snapshot = stream.next((event) -> true);
		assertThat(snapshot.name()).isEqualTo("snapshot");
		assertThat(snapshot.data().get("resync").asBoolean()).isTrue();
		assertThat(snapshot.data().get("pairs").valueStream().map((pair) -> pair.get("key").asString()))
			.contains("feed/unknown/a");
	}

	@Test
	void aLastEventIdThatIsNoIndexGetsTheWholeState() throws Exception {
		client().put("/api/kv/feed/garbage/a", "present");
		SseStream.Event snapshot = open("not-an-index").next((event) -> true);
		assertThat(snapshot.name()).isEqualTo("snapshot");
		assertThat(snapshot.data().get("pairs").valueStream().map((pair) -> pair.get("key").asString()))
			.contains("feed/garbage/a");
	}

	private SseStream open(String lastEventId) throws Exception {
		SseStream stream = SseStream.open(client(), lastEventId);
		this.streams.add(stream);
		return stream;
	}

	private SampleClient client() {
		return new SampleClient(this.port);
	}

	/** What a change says, without its index. */
	record SseStreamView(String type, String key, String value) {

		static SseStreamView of(SseStream.Event event) {
			JsonNode value = event.data().get("value");
			return new SseStreamView(event.data().get("type").asString(), event.key(),
					(value == null || value.isNull()) ? null : value.asString());
		}

	}

}
