package io.valkeyrie.store.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What of "the server lost its data" applies to the local backend (docs/backends/local.md,
 * "A lost file"): a running store keeps the file it opened, so deleting the path loses
 * nothing it counts; a store opened later on a new file starts its counters again, which no
 * running client can remember for it.
 */
class LocalDataLossTest {

	@TempDir
	Path dir;

	@Test
	void deletingTheFileDoesNotReachARunningStore() throws Exception {
		Path file = this.dir.resolve("data.mv.db");
		StoreConfig config = StoreConfig.builder("local").option("path", file.toString()).build();
		try (Store store = Stores.open(config)) {
			List<WatchEvent> events = new CopyOnWriteArrayList<>();
			store.watchTree("tree", events::add);
			KVPair before = store.atomicPut("tree/a", bytes("1"), null, WriteOptions.NONE);
			Files.delete(file);
			KVPair after = store.atomicPut("tree/a", bytes("2"), before, WriteOptions.NONE);
			assertThat(after.lastIndex()).isGreaterThan(before.lastIndex());
			assertThat(store.get("tree/a").valueAsString()).isEqualTo("2");
			await().atMost(Timing.seconds(10)).until(() -> events.size() >= 3);
			assertThat(events).noneMatch((event) -> event instanceof WatchEvent.Snapshot snapshot && snapshot.isServerDataLoss());
		}
	}

	@Test
	void aStoreOpenedOnANewFileStartsItsCountersAgain() throws Exception {
		Path file = this.dir.resolve("data.mv.db");
		StoreConfig config = StoreConfig.builder("local").option("path", file.toString()).build();
		long before;
		try (Store store = Stores.open(config)) {
			for (int i = 0; i < 20; i++) {
				store.put("k", bytes("v" + i));
			}
			before = store.get("k").lastIndex();
		}
		Files.delete(file);
		try (Store store = Stores.open(config)) {
			store.put("k", bytes("again"));
			// The documented limit: nothing running remembers the old high-water mark.
			assertThat(store.get("k").lastIndex()).isLessThan(before);
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
