package io.valkeyrie.store.consul;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.internal.WatchHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

	// Touched only by the feed thread.
	private Map<String, ConsulEntry> state = new HashMap<>();

	private long index;

	private boolean loaded;

	private boolean gap;

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
				ConsulHttp.Response response = this.http.blockingGet(path, "recurse", this.index, this.wait, this.aborter);
				if (this.closed) {
					return;
				}
				List<ConsulEntry> entries = (response.status() == 404) ? List.of() : ConsulJson.entries(response.body());
				if (response.status() != 404 && !response.ok()) {
					throw new IllegalStateException("consul answered " + response.status() + ": " + response.text());
				}
				apply(entries, response.index());
				backoff = MIN_BACKOFF;
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
					logger.info("Consul watch feed of namespace '{}' interrupted; retrying: {}", this.store.namespace(), ex.toString());
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

	private void apply(List<ConsulEntry> entries, long newIndex) {
		Map<String, ConsulEntry> next = new HashMap<>(entries.size() * 2);
		for (ConsulEntry entry : entries) {
			String key = this.store.relative(entry.key());
			if (key != null) {
				next.put(key, entry);
				if (entry.flags() > 0) {
					this.store.sweepAt(entry.key(), entry.modifyIndex(), entry.flags());
				}
			}
		}
		WatchHub hub = this.store.watchHub();
		if (!this.loaded) {
			this.loaded = true;
			this.state = next;
			this.baseline.countDown();
			if (this.lateBaseline) {
				hub.resyncAll("the consul watch feed connected late");
			}
		}
		else if (this.gap || newIndex < this.index) {
			String reason = this.gap ? "the consul watch feed reconnected" : "the consul index went back from " + this.index
					+ " to " + newIndex + " (agent restarted or its data was reset)";
			logger.info("Resyncing the watches of namespace '{}': {}", this.store.namespace(), reason);
			this.state = next;
			hub.resyncAll(reason);
		}
		else if (newIndex != this.index) {
			long now = System.currentTimeMillis();
			for (Map.Entry<String, ConsulEntry> change : next.entrySet()) {
				ConsulEntry entry = change.getValue();
				ConsulEntry old = this.state.get(change.getKey());
				if ((old == null || old.modifyIndex() != entry.modifyIndex()) && !entry.expired(now)
						&& hub.isWatched(change.getKey())) {
					hub.publishPut(KVPair.wrap(change.getKey(), entry.value(), entry.modifyIndex()));
				}
			}
			for (String key : this.state.keySet()) {
				if (!next.containsKey(key) && hub.isWatched(key)) {
					hub.publishDelete(key, newIndex);
				}
			}
			this.state = next;
		}
		this.gap = false;
		// Consul: an index must be positive, or the next query would not block.
		this.index = Math.max(1, newIndex);
	}

	@Override
	public void close() {
		Thread feed;
		synchronized (this) {
			this.closed = true;
			feed = this.thread;
		}
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
