package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.test.CrashableServer;
import io.valkeyrie.store.test.ServerUse;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A keep-alive key lives while its store is open and healthy (CONTRACT.md, TTL), also when Redis
 * was away for longer than the key's TTL: on a Redis of the test's own (AOF) that is killed and
 * started again on its data after the key expired there. A key someone else deleted or replaced
 * while the store was connected is not written again.
 */
@ServerUse(shared = {})
class RedisKeepAliveOutageTest {

	private static final Duration TTL = Duration.ofSeconds(2);

	private static StoreConfig config(CrashableServer server, String namespace) {
		return StoreConfig.builder("redis").endpoints(server.endpoint()).namespace(namespace)
			.option(RedisOptions.HISTORY, RedisOptions.HISTORY_ALWAYS).requestTimeout(Duration.ofSeconds(2)).build();
	}

	private static String describe(WatchEvent event) {
		if (event instanceof WatchEvent.Put put) {
			return "put " + put.key() + "=" + put.pair().valueAsString() + "@" + put.pair().lastIndex();
		}
		if (event instanceof WatchEvent.Delete delete) {
			return "delete " + delete.key();
		}
		return (((WatchEvent.Snapshot) event).isResync() ? "resync " : "snapshot ")
				+ event.current().values().stream().map((p) -> p.key() + "@" + p.lastIndex()).toList();
	}

	@Test
	void aKeepAliveKeyThatExpiredDuringAnOutageIsWrittenAgainAndGoesWithItsStore() {
		String namespace = "alive/" + UUID.randomUUID().toString().substring(0, 8);
		try (CrashableServer server = CrashableServer.start("redis");
				Store other = Stores.open(config(server, namespace))) {
			Store holding = Stores.open(config(server, namespace));
			try {
				holding.put("alive", "kept".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(TTL));
				long before = other.get("alive").lastIndex();
				List<String> events = new CopyOnWriteArrayList<>();
				other.watch("alive", (e) -> events.add(describe(e)));
				server.kill();
				// Down for well over the TTL: the key's expiry passes while nobody can renew it.
				long down = System.nanoTime();
				await().pollDelay(TTL.multipliedBy(2)).atMost(TTL.multipliedBy(3)).until(() -> true);
				server.start();
				assertThat(Duration.ofNanos(System.nanoTime() - down)).isGreaterThan(TTL.multipliedBy(2));
				// Its store is open and healthy again: the key comes back, as a fresh put.
				await().atMost(Timing.seconds(30)).until(() -> other.exists("alive"));
				KVPair after = other.get("alive");
				assertThat(after.valueAsString()).isEqualTo("kept");
				assertThat(after.lastIndex()).isGreaterThan(before);
				// The live watch sees it as a put, or in its resync snapshot when it reconnected later.
				await().atMost(Timing.seconds(30)).until(() -> events.contains("put alive=kept@" + after.lastIndex())
						|| events.contains("resync [alive@" + after.lastIndex() + "]"));
				// In the recorded changes (the history a watch resumes from) it is a normal put.
				List<String> resumed = new CopyOnWriteArrayList<>();
				other.watch("alive", WatchOptions.DEFAULTS.resumeFrom(before), (e) -> resumed.add(describe(e)));
				await().atMost(Timing.seconds(30)).until(() -> resumed.contains("put alive=kept@" + after.lastIndex()));
				assertThat(resumed).noneMatch((event) -> event.startsWith("resync"));
				// And stays, renewed again, for several TTLs.
				await().pollDelay(TTL.multipliedBy(3)).atMost(TTL.multipliedBy(4)).until(() -> true);
				assertThat(other.get("alive").lastIndex()).isEqualTo(after.lastIndex());
			}
			finally {
				holding.close();
			}
			long closed = System.nanoTime();
			await().atMost(TTL.plus(Timing.seconds(10))).until(() -> !other.exists("alive"));
			assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(TTL.plus(Timing.seconds(10)));
		}
	}

	@Test
	void aKeepAliveKeyDeletedOrReplacedByAnotherClientIsNotWrittenAgain() {
		String namespace = "alive/" + UUID.randomUUID().toString().substring(0, 8);
		try (CrashableServer server = CrashableServer.start("redis");
				Store holding = Stores.open(config(server, namespace));
				Store other = Stores.open(config(server, namespace))) {
			holding.put("deleted", "kept".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(TTL));
			holding.put("replaced", "kept".getBytes(StandardCharsets.UTF_8), WriteOptions.keepAlive(TTL));
			other.delete("deleted");
			other.put("replaced", "theirs".getBytes(StandardCharsets.UTF_8), WriteOptions.ttl(TTL));
			// Several TTLs: a keep-alive that took the deletion or the replaced key's expiry for an
			// outage would write its value again meanwhile.
			long deadline = System.nanoTime() + TTL.multipliedBy(4).toNanos();
			while (System.nanoTime() < deadline) {
				assertThat(other.exists("deleted")).as("the key another client deleted").isFalse();
				assertThat(other.find("replaced").map(KVPair::valueAsString)).as("the key another client replaced")
					.isNotEqualTo(Optional.of("kept"));
				await().pollDelay(Duration.ofMillis(200)).until(() -> true);
			}
			assertThat(other.exists("replaced")).as("the replacing write, with its own TTL").isFalse();
		}
	}

}
