package io.valkeyrie.store.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;

import static org.awaitility.Awaitility.await;

/**
 * A {@code watchTree} whose events are applied, one by one, to a map of its own (a snapshot
 * replaces it, a put sets a key, a delete removes one), as a consumer that trusts the events
 * would. {@link #awaitConverged} checks that this map ends equal to what a fresh store lists:
 * no event lost, none applied twice out of order, a resync wherever events may have been missed.
 */
public final class TreeRecorder implements AutoCloseable {

	private final String dir;

	private final NavigableMap<String, KVPair> seen = new TreeMap<>();

	private final List<String> resyncs = new ArrayList<>();

	private int events;

	private Watch watch;

	private TreeRecorder(String dir) {
		this.dir = dir;
	}

	/**
	 * Start watching {@code dir} on {@code store}.
	 * @return the recorder, its first snapshot not necessarily delivered yet
	 */
	public static TreeRecorder watch(Store store, String dir) {
		TreeRecorder recorder = new TreeRecorder(dir);
		recorder.watch = store.watchTree(dir, recorder::apply);
		return recorder;
	}

	private synchronized void apply(WatchEvent event) {
		this.events++;
		if (event instanceof WatchEvent.Snapshot snapshot) {
			this.seen.clear();
			this.seen.putAll(snapshot.current());
			if (snapshot.isResync()) {
				this.resyncs.add(String.valueOf(snapshot.reason()));
			}
		}
		else if (event instanceof WatchEvent.Put put) {
			this.seen.put(put.pair().key(), put.pair());
		}
		else if (event instanceof WatchEvent.Delete delete) {
			this.seen.remove(delete.key());
		}
	}

	/** Events delivered so far. */
	public synchronized int events() {
		return this.events;
	}

	/** The reasons of the resync signals delivered so far. */
	public synchronized List<String> resyncs() {
		return List.copyOf(this.resyncs);
	}

	/** The tree as the events built it. */
	public synchronized NavigableMap<String, KVPair> seen() {
		return new TreeMap<>(this.seen);
	}

	/**
	 * Wait until the tree the events built equals {@code reader.list(dir)}, pair by pair (key,
	 * value and {@code lastIndex}).
	 * @param reader a store opened after the fault, that lists the server's state
	 * @return how long it took
	 * @throws AssertionError with both trees if they still differ after {@code within}
	 */
	public Duration awaitConverged(Store reader, Duration within) {
		long since = System.nanoTime();
		try {
			await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> seen().equals(listed(reader)));
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			throw new AssertionError("watchTree(" + this.dir + ") did not converge within " + within + ": "
					+ differences(seen(), listed(reader)) + "; resyncs " + resyncs(), ex);
		}
		return Duration.ofNanos(System.nanoTime() - since);
	}

	private NavigableMap<String, KVPair> listed(Store reader) {
		NavigableMap<String, KVPair> tree = new TreeMap<>();
		try {
			reader.list(this.dir).forEach((pair) -> tree.put(pair.key(), pair));
		}
		catch (KeyNotFoundException ex) {
			// Nothing below dir: the empty tree.
		}
		return tree;
	}

	private static String differences(NavigableMap<String, KVPair> seen, NavigableMap<String, KVPair> listed) {
		List<String> out = new ArrayList<>();
		for (String key : union(seen, listed)) {
			KVPair a = seen.get(key);
			KVPair b = listed.get(key);
			if (a == null || !a.equals(b)) {
				out.add(key + " watched " + describe(a) + " listed " + describe(b));
			}
		}
		return out.size() + " keys differ " + out;
	}

	private static List<String> union(NavigableMap<String, KVPair> a, NavigableMap<String, KVPair> b) {
		TreeMap<String, Boolean> keys = new TreeMap<>();
		a.keySet().forEach((key) -> keys.put(key, true));
		b.keySet().forEach((key) -> keys.put(key, true));
		return new ArrayList<>(keys.keySet());
	}

	private static String describe(KVPair pair) {
		return (pair != null) ? pair.valueAsString() + "@" + pair.lastIndex() : "nothing";
	}

	@Override
	public void close() {
		this.watch.close();
	}

}
