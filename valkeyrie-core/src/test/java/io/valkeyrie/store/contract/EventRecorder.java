package io.valkeyrie.store.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WatchListener;

import org.awaitility.Awaitility;

/**
 * Records the events of a watch, with the state {@code current()} showed for each, and waits
 * for the ones a test expects.
 */
final class EventRecorder implements WatchListener {

	private final List<WatchEvent> events = new CopyOnWriteArrayList<>();

	private final List<NavigableMap<String, KVPair>> states = new CopyOnWriteArrayList<>();

	private final List<String> threads = new CopyOnWriteArrayList<>();

	@Override
	public void onEvent(WatchEvent event) {
		this.states.add(event.current());
		this.threads.add(Thread.currentThread().getName());
		this.events.add(event);
	}

	List<WatchEvent> events() {
		return new ArrayList<>(this.events);
	}

	/** The state {@code current()} returned during the n-th event. */
	NavigableMap<String, KVPair> stateAt(int index) {
		return this.states.get(index);
	}

	int size() {
		return this.events.size();
	}

	/** Wait for the first event matching, searching from {@code from}; returns its position. */
	int await(int from, Duration timeout, String what, Predicate<WatchEvent> matcher) {
		int[] found = { -1 };
		Awaitility.await().alias(what).atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> {
			List<WatchEvent> seen = this.events;
			for (int i = from; i < seen.size(); i++) {
				if (matcher.test(seen.get(i))) {
					found[0] = i;
					return true;
				}
			}
			return false;
		});
		return found[0];
	}

	/** Wait for the first snapshot (not a resync) and return it. */
	WatchEvent.Snapshot awaitInitialSnapshot(Duration timeout) {
		int at = await(0, timeout, "initial snapshot", (e) -> e instanceof WatchEvent.Snapshot);
		return (WatchEvent.Snapshot) this.events.get(at);
	}

	/** The put events (after the initial snapshot) as "key=value" strings, in order. */
	List<String> puts() {
		return this.events.stream()
			.filter(WatchEvent.Put.class::isInstance)
			.map(WatchEvent.Put.class::cast)
			.map((p) -> p.key() + "=" + p.pair().valueAsString())
			.toList();
	}

	/** Every change event (put and delete) in order, as "put key=value" / "delete key". */
	List<String> changes() {
		List<String> changes = new ArrayList<>();
		for (WatchEvent event : this.events) {
			if (event instanceof WatchEvent.Put put) {
				changes.add("put " + put.key() + "=" + put.pair().valueAsString());
			}
			else if (event instanceof WatchEvent.Delete delete) {
				changes.add("delete " + delete.key());
			}
		}
		return changes;
	}

	List<String> threads() {
		return new ArrayList<>(this.threads);
	}

}
