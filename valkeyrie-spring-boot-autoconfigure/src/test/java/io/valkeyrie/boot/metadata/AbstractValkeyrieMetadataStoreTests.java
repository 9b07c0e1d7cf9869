package io.valkeyrie.boot.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.integration.metadata.MetadataStoreListener;
import org.springframework.integration.selector.MetadataStoreSelector;
import org.springframework.messaging.support.GenericMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring Integration's {@code ConcurrentMetadataStore} and {@code ListenableMetadataStore}
 * semantics of {@link ValkeyrieMetadataStore}, with two metadata stores on two independent
 * clients of one backend.
 */
abstract class AbstractValkeyrieMetadataStoreTests {

	private final List<Store> stores = new ArrayList<>();

	private ValkeyrieMetadataStore one;

	private ValkeyrieMetadataStore two;

	/** A new client of the backend, with the given namespace. */
	protected abstract Store open(String namespace);

	@BeforeEach
	void openStores() {
		String namespace = "metadata-test/" + UUID.randomUUID();
		this.one = new ValkeyrieMetadataStore(track(open(namespace)), "metadata");
		this.two = new ValkeyrieMetadataStore(track(open(namespace)), "metadata");
	}

	@AfterEach
	void closeStores() {
		// A store that failed to open leaves its metadata store null; the others still close.
		if (this.one != null) {
			this.one.destroy();
		}
		if (this.two != null) {
			this.two.destroy();
		}
		this.stores.forEach(Store::close);
	}

	@Test
	void putGetAndRemoveAcrossStores() {
		assertThat(this.one.get("file")).isNull();
		this.one.put("file", "42");
		assertThat(this.two.get("file")).isEqualTo("42");
		this.two.put("file", "43");
		assertThat(this.one.get("file")).isEqualTo("43");
		assertThat(this.one.remove("file")).isEqualTo("43");
		assertThat(this.two.remove("file")).isNull();
		assertThat(this.two.get("file")).isNull();
	}

	@Test
	void putIfAbsentReturnsTheValueAlreadyThere() {
		assertThat(this.one.putIfAbsent("key", "first")).isNull();
		assertThat(this.two.putIfAbsent("key", "second")).isEqualTo("first");
		assertThat(this.two.get("key")).isEqualTo("first");
	}

	@Test
	void anIdempotentReceiverOnEachStoreAcceptsEachMessageOnce() {
		// Spring Integration's own selector, as two instances' idempotent receivers would use it.
		MetadataStoreSelector first = new MetadataStoreSelector((message) -> (String) message.getPayload(), this.one);
		MetadataStoreSelector second = new MetadataStoreSelector((message) -> (String) message.getPayload(), this.two);
		assertThat(first.accept(new GenericMessage<>("order-1"))).isTrue();
		assertThat(second.accept(new GenericMessage<>("order-1"))).as("seen by the other instance").isFalse();
		assertThat(second.accept(new GenericMessage<>("order-2"))).isTrue();
		assertThat(first.accept(new GenericMessage<>("order-2"))).isFalse();
		assertThat(first.accept(new GenericMessage<>("order-1"))).isFalse();
	}

	@Test
	void replaceOnlyReplacesTheExpectedValue() {
		assertThat(this.one.replace("key", "a", "b")).as("missing key").isFalse();
		this.one.put("key", "a");
		assertThat(this.two.replace("key", "x", "b")).as("other value").isFalse();
		assertThat(this.two.replace("key", "a", "b")).isTrue();
		assertThat(this.one.replace("key", "a", "c")).as("already replaced").isFalse();
		assertThat(this.one.get("key")).isEqualTo("b");
	}

	@Test
	void exactlyOnePutIfAbsentWinsAcrossStores() throws Exception {
		List<Callable<String>> calls = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			ValkeyrieMetadataStore store = (i % 2 == 0) ? this.one : this.two;
			String value = "v" + i;
			calls.add(() -> store.putIfAbsent("race", value));
		}
		List<String> results = new ArrayList<>();
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			for (Future<String> result : executor.invokeAll(calls)) {
				results.add(result.get());
			}
		}
		finally {
			executor.shutdownNow();
		}
		String winner = this.one.get("race");
		assertThat(results).filteredOn((result) -> result == null).hasSize(1);
		assertThat(results).filteredOn((result) -> result != null).hasSize(7).allMatch(winner::equals);
	}

	@Test
	void replaceIsACompareAndSwapAcrossStores() throws Exception {
		this.one.put("counter", "0");
		int threads = 4;
		int increments = 10;
		List<Callable<Void>> calls = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			ValkeyrieMetadataStore store = (i % 2 == 0) ? this.one : this.two;
			calls.add(() -> {
				for (int done = 0; done < increments;) {
					String current = store.get("counter");
					if (store.replace("counter", current, String.valueOf(Integer.parseInt(current) + 1))) {
						done++;
					}
				}
				return null;
			});
		}
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			for (Future<Void> result : executor.invokeAll(calls)) {
				result.get();
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(this.two.get("counter")).isEqualTo(String.valueOf(threads * increments));
	}

	@Test
	void keysAreOpaqueStrings() {
		List<String> keys = List.of("/tmp/a.txt", "tmp/a.txt", "tmp%2Fa.txt", ".", "..", "a b*?[:]", "ключ");
		for (String key : keys) {
			this.one.put(key, "value of " + key);
		}
		for (String key : keys) {
			assertThat(this.two.get(key)).isEqualTo("value of " + key);
		}
	}

	@Test
	void listenersHearChangesMadeByTheOtherStore() {
		Events events = new Events();
		this.one.put("before", "x");
		this.one.addListener(events);
		this.two.put("key", "1");
		this.two.put("key", "2");
		this.two.remove("key");
		this.two.remove("before");
		await().atMost(Timing.seconds(10))
			.untilAsserted(() -> assertThat(events.seen).containsExactly("add key=1", "update key=2", "remove key=2",
					"remove before=x"));
	}

	@Test
	void aRemovedListenerHearsNothingMore() {
		Events removed = new Events();
		this.one.addListener(removed);
		this.two.put("first", "1");
		await().atMost(Timing.seconds(10)).until(() -> removed.seen.size() == 1);
		this.one.removeListener(removed);
		this.two.put("second", "2");
		Events later = new Events();
		this.one.addListener(later);
		this.two.put("third", "3");
		// The later listener hears "third", which came after "second": "second" has been delivered by then.
		await().atMost(Timing.seconds(10)).until(() -> later.seen.contains("add third=3"));
		assertThat(removed.seen).containsExactly("add first=1");
	}

	private Store track(Store store) {
		this.stores.add(store);
		return store;
	}

	static final class Events implements MetadataStoreListener {

		final List<String> seen = new CopyOnWriteArrayList<>();

		@Override
		public void onAdd(String key, String value) {
			this.seen.add("add " + key + "=" + value);
		}

		@Override
		public void onRemove(String key, String oldValue) {
			this.seen.add("remove " + key + "=" + oldValue);
		}

		@Override
		public void onUpdate(String key, String newValue) {
			this.seen.add("update " + key + "=" + newValue);
		}

	}

}
