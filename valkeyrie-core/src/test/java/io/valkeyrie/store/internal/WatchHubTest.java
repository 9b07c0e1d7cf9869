package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub on its own, fed by a tiny in-memory source, for the cases a real backend cannot
 * produce on demand: a read that fails, changes racing the initial read.
 */
class WatchHubTest {

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private final MemorySource source = new MemorySource();

	private final WatchHub hub = new WatchHub("test", this.source, Executors.newFixedThreadPool(2), this.scheduler);

	@AfterEach
	void close() {
		this.hub.close();
		this.scheduler.shutdownNow();
	}

	@Test
	void changesPublishedBeforeTheInitialReadAreNotDeliveredTwice() {
		this.source.write("k", "1");
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		this.source.blockReads.set(1);
		this.hub.register("k", false, WatchOptions.DEFAULTS, events::add);
		// Published while the read has not happened: the read sees it, so it must not come again.
		KVPair two = this.source.write("k", "2");
		this.hub.publishPut(two);
		this.source.blockReads.set(0);
		await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
		KVPair three = this.source.write("k", "3");
		this.hub.publishPut(three);
		await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
		assertThat(((WatchEvent.Snapshot) events.get(0)).pairs()).containsExactly(two);
		assertThat(((WatchEvent.Put) events.get(1)).pair()).isEqualTo(three);
	}

	@Test
	void aFailedReadIsRetriedUntilItSucceedsAndNothingIsDeliveredBefore() {
		this.source.write("d/a", "1");
		this.source.failReads.set(3);
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		this.hub.register("d", true, WatchOptions.DEFAULTS, events::add);
		this.hub.publishPut(this.source.write("d/b", "2"));
		await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
		WatchEvent.Snapshot snapshot = (WatchEvent.Snapshot) events.get(0);
		assertThat(snapshot.isResync()).isTrue();
		assertThat(snapshot.current()).containsOnlyKeys("d/a", "d/b");
		assertThat(this.source.reads.get()).isEqualTo(4);
	}

	@Test
	void resyncRereadsAndSaysWhy() {
		this.source.write("k", "1");
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		this.hub.register("k", false, WatchOptions.DEFAULTS, events::add);
		await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
		this.source.write("k", "missed");
		this.hub.resyncAll("connection lost");
		await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
		WatchEvent.Snapshot resync = (WatchEvent.Snapshot) events.get(1);
		assertThat(resync.isResync()).isTrue();
		assertThat(resync.reason()).isEqualTo("connection lost");
		assertThat(resync.pairs().get(0).valueAsString()).isEqualTo("missed");
	}

	@Test
	void routingReachesKeyWatchesAndTreeWatchesOfEveryAncestorOnly() {
		List<String> seen = new CopyOnWriteArrayList<>();
		for (String dir : List.of("", "a", "a/b", "a/b/c", "ab")) {
			this.hub.register(dir, true, WatchOptions.DEFAULTS, (e) -> {
				if (e instanceof WatchEvent.Put) {
					seen.add("tree:" + dir);
				}
			});
		}
		this.hub.register("a/b", false, WatchOptions.DEFAULTS, (e) -> {
			if (e instanceof WatchEvent.Put) {
				seen.add("key:a/b");
			}
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> this.source.reads.get() == 6);
		this.hub.publishPut(this.source.write("a/b", "v"));
		await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
		assertThat(seen).containsExactlyInAnyOrder("tree:", "tree:a", "key:a/b");
		assertThat(this.hub.isWatched("a/b/c/d")).isTrue();
		assertThat(this.hub.isWatched("b")).isTrue();
	}

	@Test
	void closeUnregistersAndTellsTheSourceAfterTheLastWatch() {
		Watch one = this.hub.register("k", false, WatchOptions.DEFAULTS, (e) -> {
		});
		Watch two = this.hub.register("k", false, WatchOptions.DEFAULTS, (e) -> {
		});
		assertThat(this.source.watched).containsExactly("k");
		one.close();
		assertThat(this.source.unwatched).isEmpty();
		two.close();
		assertThat(this.source.unwatched).containsExactly("k");
		assertThat(this.hub.activeWatches()).isZero();
		assertThat(this.hub.isWatched("k")).isFalse();
	}

	private static final class MemorySource implements WatchSource {

		final NavigableMap<String, KVPair> data = new ConcurrentSkipListMap<>();

		final AtomicLong index = new AtomicLong();

		final AtomicInteger failReads = new AtomicInteger();

		final AtomicInteger blockReads = new AtomicInteger();

		final AtomicInteger reads = new AtomicInteger();

		final List<String> watched = new CopyOnWriteArrayList<>();

		final List<String> unwatched = new CopyOnWriteArrayList<>();

		KVPair write(String key, String value) {
			KVPair pair = KVPair.of(key, value.getBytes(), this.index.incrementAndGet());
			this.data.put(key, pair);
			return pair;
		}

		@Override
		public Snapshot snapshot(String key, boolean tree) {
			await().atMost(Duration.ofSeconds(5)).until(() -> this.blockReads.get() == 0);
			this.reads.incrementAndGet();
			if (this.failReads.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
				throw new StoreUnavailableException("test", "read failed on purpose", null);
			}
			NavigableMap<String, KVPair> pairs = new TreeMap<>();
			long revision = this.index.get();
			this.data.forEach((k, v) -> {
				if (tree ? Keys.isBelow(k, key) : k.equals(key)) {
					pairs.put(k, v);
				}
			});
			return new Snapshot(pairs, revision);
		}

		@Override
		public void watched(String key, boolean tree) {
			this.watched.add(key);
		}

		@Override
		public void unwatched(String key, boolean tree) {
			this.unwatched.add(key);
		}

	}

}
