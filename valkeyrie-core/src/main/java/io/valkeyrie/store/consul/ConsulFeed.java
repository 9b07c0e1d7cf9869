package io.valkeyrie.store.consul;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.Keys;
import io.valkeyrie.store.internal.WatchHub;
import io.valkeyrie.store.internal.WatchSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import org.jspecify.annotations.Nullable;

/**
 * The one change feed of a store: a recursive blocking query on the namespace, whose
 * answers are diffed against the previous one (by {@code ModifyIndex}) into puts and
 * deletes for the {@link WatchHub}. However many watches a store has, this is one thread and
 * one in-flight request.
 * <p>
 * After a gap (the agent unreachable, or its index going backwards as when a dev agent
 * restarts with no data) the hub is told to resync every watch. TTL keys it sees are swept
 * when they expire, so watchers get their delete event on time even if the writer is gone.
 */
final class ConsulFeed implements Runnable, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ConsulFeed.class);

	private static final Duration MIN_BACKOFF = Duration.ofMillis(100);

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

	private final ConsulStore store;

	private final ConsulHttp http;

	private final String prefix;

	private final Duration wait;

	private final Duration startTimeout;

	private final ConsulHttp.Aborter aborter = new ConsulHttp.Aborter();

	private final CountDownLatch baseline = new CountDownLatch(1);

	private @Nullable Thread thread;

	private volatile boolean closed;

	private volatile boolean lateBaseline;

	// Written only by the feed thread.
	private volatile @Nullable View view;

	private boolean gap;

	private long bytesRead;

	private volatile @Nullable LogRead lastLogRead;

	ConsulFeed(ConsulStore store, ConsulHttp http, String prefix, Duration wait, Duration startTimeout) {
		this.store = store;
		this.http = http;
		this.prefix = prefix;
		this.wait = wait;
		this.startTimeout = startTimeout;
	}

	/**
	 * Start the feed if it does not run yet, and wait (up to the request timeout) for its
	 * first answer, so a watch that reads its state after this misses no change. If the
	 * first answer comes later, every watch is resynced then.
	 */
	void start() {
		synchronized (this) {
			if (this.closed) {
				return;
			}
			if (this.thread == null) {
				Thread feed = new Thread(this, "valkeyrie-consul-feed-" + this.store.namespace());
				feed.setDaemon(true);
				this.thread = feed;
				feed.start();
			}
		}
		try {
			if (!this.baseline.await(this.startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
				this.lateBaseline = true;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.lateBaseline = true;
		}
	}

	@Override
	public void run() {
		Duration backoff = MIN_BACKOFF;
		String path = ConsulHttp.kvPath(this.prefix);
		while (!this.closed) {
			try {
				View current = this.view;
				// Consul: an index must be positive, or the query would not block.
				// After a gap ask without blocking: a restarted agent's index may be far below ours.
				long index = (current != null && !this.gap) ? Math.max(1, current.index()) : 0;
				if (index == 0 && this.store.changeLog().enabled()) {
					// Registered before the state is read: every change after it is logged.
					this.store.watchRegistry().ensureRegistered(this.prefix, this::registrationLost);
				}
				long sent = System.nanoTime();
				ConsulHttp.Response response = this.http.blockingGet(path, "recurse", index, this.wait, this.aborter);
				if (this.closed) {
					return;
				}
				List<ConsulEntry> entries = (response.status() == 404) ? List.of() : ConsulJson.entries(response.body());
				if (response.status() != 404 && !response.ok()) {
					throw new IllegalStateException("consul answered " + response.status() + ": " + response.text());
				}
				apply(entries, response.index());
				backoff = MIN_BACKOFF;
				if (index > 0 && response.index() == index && System.nanoTime() - sent < MIN_BACKOFF.toNanos()) {
					// An unchanged answer that did not block (as Consul's docs warn can happen): do not spin.
					Thread.sleep(MIN_BACKOFF.toMillis());
				}
			}
			catch (InterruptedException ex) {
				// Only close interrupts the feed thread.
				Thread.currentThread().interrupt();
				return;
			}
			catch (StoreInterruptedException ex) {
				if (this.closed) {
					return;
				}
				this.gap = true;
			}
			catch (RuntimeException ex) {
				if (this.closed) {
					return;
				}
				if (!this.gap) {
					logger.debug("Consul watch feed of namespace '{}' interrupted; retrying: {}", this.store.namespace(), ex.toString());
				}
				this.gap = true;
				try {
					Thread.sleep(backoff.toMillis());
				}
				catch (InterruptedException interrupted) {
					// Closing: the loop condition ends the feed.
					Thread.currentThread().interrupt();
					return;
				}
				backoff = (backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0) ? MAX_BACKOFF : backoff.multipliedBy(2);
			}
		}
	}

	/**
	 * The watch registration was found gone (and was made again): changes may have gone
	 * unlogged meanwhile, so the feed ends its query and resyncs.
	 */
	private void registrationLost() {
		this.aborter.wake();
	}

	private void apply(List<ConsulEntry> entries, long newIndex) {
		Map<String, ConsulEntry> next = new HashMap<>(entries.size() * 2);
		for (ConsulEntry entry : entries) {
			String key = this.store.relative(entry.key());
			if (key != null) {
				next.put(key, entry);
				if (entry.expiryMillis() > 0) {
					this.store.sweepAt(entry.key(), entry.modifyIndex(), entry.expiryMillis());
				}
			}
		}
		WatchHub hub = this.store.watchHub();
		View previous = this.view;
		if (previous == null) {
			this.view = new View(next, newIndex);
			this.baseline.countDown();
			if (this.lateBaseline) {
				hub.resyncAll("the consul watch feed connected late");
			}
		}
		else if (this.gap || newIndex < previous.index()) {
			String reason = this.gap ? "the consul watch feed reconnected" : "the consul index went back from "
					+ previous.index() + " to " + newIndex + " (agent restarted or its data was reset)";
			// After an outage Reachability has said it all; an index going back is news.
			logger.atLevel(this.gap ? Level.DEBUG : Level.INFO).log("Resyncing the watches of namespace '{}': {}", this.store.namespace(), reason);
			this.view = new View(next, newIndex);
			// The agent may have restarted without its data: the hub checks the epoch marker first.
			hub.resyncAfterReconnect(reason);
		}
		else if (newIndex != previous.index()) {
			List<Change> changes = changes(previous, next, newIndex);
			// The new view first: a watch that registers now reads it, and is sent what follows.
			this.view = new View(next, newIndex);
			for (Change change : changes) {
				if (hub.isWatched(change.key())) {
					if (change.pair() != null) {
						hub.publishPut(change.pair());
					}
					else {
						hub.publishDelete(change.key(), change.index());
					}
				}
			}
		}
		this.gap = false;
	}

	/**
	 * What changed between the last answer and this one: first the logged changes in index
	 * order (every write of a valkeyrie store, also those the two answers do not show), then
	 * whatever the new state still differs in (keys deleted by Consul when their session
	 * ended, writes of other tools).
	 */
	private List<Change> changes(View previous, Map<String, ConsulEntry> next, long newIndex) {
		List<Change> changes = new ArrayList<>();
		Map<String, Long> seen = new HashMap<>(previous.state().size() * 2);
		previous.state().forEach((key, entry) -> seen.put(key, entry.modifyIndex()));
		ConsulChangeLog log = this.store.changeLog();
		List<ConsulEntry> records = log.enabled() ? records(log, previous.index()) : List.of();
		for (ConsulChangeLog.Change change : log.changes(records, previous.index(), newIndex)) {
			String key = this.store.relative(change.consulKey());
			if (key == null) {
				continue;
			}
			if (change.isPut()) {
				seen.put(key, change.index());
				changes.add(new Change(key, KVPair.wrap(key, change.value(), change.index()), change.index()));
			}
			else if (seen.remove(key) != null) {
				changes.add(new Change(key, null, change.index()));
			}
		}
		long now = System.currentTimeMillis();
		List<ConsulEntry> puts = new ArrayList<>();
		for (Map.Entry<String, ConsulEntry> entry : next.entrySet()) {
			Long known = seen.get(entry.getKey());
			if ((known == null || known != entry.getValue().modifyIndex()) && !entry.getValue().expired(now)) {
				puts.add(entry.getValue());
			}
		}
		puts.sort(Comparator.comparingLong(ConsulEntry::modifyIndex));
		for (ConsulEntry entry : puts) {
			String key = this.store.relative(entry.key());
			changes.add(new Change(key, KVPair.wrap(key, entry.value(), entry.modifyIndex()), entry.modifyIndex()));
		}
		List<String> deleted = new ArrayList<>();
		for (String key : seen.keySet()) {
			if (!next.containsKey(key)) {
				deleted.add(key);
			}
		}
		deleted.sort(null);
		deleted.forEach((key) -> changes.add(new Change(key, null, newIndex)));
		return changes;
	}

	/**
	 * The change-log records of the namespace that may be newer than {@code after}: the slot
	 * markers, and only the slots written since (see {@link ConsulChangeLog}). One read-only
	 * transaction takes the markers with the slot this host's clock says is current; a slot
	 * written since that it did not take (the previous one just after a slot ends, a writer's
	 * clock behind, a stalled writer) is read after. A failed read throws: the feed reconnects and resyncs rather
	 * than miss records.
	 */
	private List<ConsulEntry> records(ConsulChangeLog log, long after) {
		this.bytesRead = 0;
		String current = ConsulChangeLog.slot(System.currentTimeMillis());
		ConsulJson.Txn read = new ConsulJson.Txn().op("get-tree", log.slotsPrefix()).op("get-tree", log.prefix(current, this.prefix));
		ConsulHttp.Response response = this.http.put("txn", "consistent", read.toBytes());
		if (!response.ok()) {
			throw new IllegalStateException("consul answered " + response.status() + " to the change-log read: " + response.text());
		}
		this.bytesRead += response.body().length;
		List<ConsulEntry> markers = new ArrayList<>();
		List<ConsulEntry> records = new ArrayList<>();
		for (ConsulEntry entry : ConsulJson.txnResult(response.body()).results()) {
			(entry.key().startsWith(log.slotsPrefix()) ? markers : records).add(entry);
		}
		for (String slot : log.slotsWrittenAfter(markers, after)) {
			if (!slot.equals(current)) {
				records.addAll(read(log.prefix(slot, this.prefix)));
			}
		}
		this.lastLogRead = new LogRead(markers.size(), records.size(), this.bytesRead);
		return records;
	}

	private List<ConsulEntry> read(String prefix) {
		ConsulHttp.Response response = this.http.get(ConsulHttp.kvPath(prefix), "recurse&consistent");
		if (response.status() == 404) {
			return List.of();
		}
		if (!response.ok()) {
			throw new IllegalStateException("consul answered " + response.status() + " to the change-log read: " + response.text());
		}
		this.bytesRead += response.body().length;
		return ConsulJson.entries(response.body());
	}

	/**
	 * What the last wake-up read of the change log (for tests).
	 * @param markers slot markers read
	 * @param records records read
	 * @param bytes bytes of the answers
	 */
	record LogRead(int markers, int records, long bytes) {
	}

	/** What the feed's last wake-up read of the change log, {@code null} before the first. */
	@Nullable LogRead lastLogRead() {
		return this.lastLogRead;
	}

	/**
	 * The state of a key or subtree as the feed last saw it, with the index it saw it at: what
	 * a new watch starts from (no request per watch), followed by the feed's later changes.
	 */
	WatchSource.Snapshot snapshot(String key, boolean tree) {
		View current = this.view;
		if (current == null) {
			throw new StoreUnavailableException(ConsulStore.BACKEND, "the watch feed of namespace '" + this.store.namespace()
					+ "' has not reached the agent yet", null);
		}
		long now = System.currentTimeMillis();
		NavigableMap<String, KVPair> pairs = new TreeMap<>();
		if (tree) {
			current.state().forEach((k, entry) -> {
				if (Keys.isBelow(k, key) && !entry.expired(now)) {
					pairs.put(k, KVPair.wrap(k, entry.value(), entry.modifyIndex()));
				}
			});
		}
		else {
			ConsulEntry entry = current.state().get(key);
			if (entry != null && !entry.expired(now)) {
				pairs.put(key, KVPair.wrap(key, entry.value(), entry.modifyIndex()));
			}
		}
		return new WatchSource.Snapshot(pairs, current.index());
	}

	/** Whether the feed has a view to serve snapshots from. */
	boolean ready() {
		return this.view != null;
	}

	private record View(Map<String, ConsulEntry> state, long index) {
	}

	private record Change(String key, @Nullable KVPair pair, long index) {
	}

	@Override
	public void close() {
		Thread feed;
		synchronized (this) {
			this.closed = true;
			feed = this.thread;
		}
		// A watch registration waiting for the first answer ends now (and finds the store closed).
		this.baseline.countDown();
		this.aborter.abort();
		if (feed != null) {
			feed.interrupt();
			try {
				feed.join(1000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
