package io.valkeyrie.store.etcd;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.internal.Reachability;
import io.valkeyrie.store.internal.WatchHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * The one change feed of a store: a jetcd watch over the store's whole namespace, started
 * when the first watch reads its state and stopped when the last watch closes, publishing
 * each change a watch wants to the {@link WatchHub}.
 * <p>
 * jetcd resumes the watch by itself from the last revision it delivered after a broken
 * connection, so a reconnect loses nothing and needs no resync. When jetcd gives up (the
 * revision to resume from was compacted away, or the server refused the watch) the feed
 * starts again: from the compaction point with a resync of every watch, or from the last
 * revision it saw.
 */
final class EtcdWatchFeed implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(EtcdWatchFeed.class);

	private static final Duration MAX_RETRY = Duration.ofSeconds(5);

	private final Client client;

	private final EtcdLayout layout;

	private final WatchHub hub;

	private final ScheduledExecutorService scheduler;

	private final BooleanSupplier wanted;

	private @Nullable Watcher current;

	private long lastRevision;

	private Duration retry = Duration.ofMillis(100);

	private boolean closed;

	private volatile @Nullable Reachability reachability;

	/** Whether a probe for the end of an outage is scheduled. */
	private final AtomicBoolean probing = new AtomicBoolean();

	/**
	 * @param wanted whether any watch still needs the feed
	 */
	EtcdWatchFeed(Client client, EtcdLayout layout, WatchHub hub, ScheduledExecutorService scheduler, BooleanSupplier wanted) {
		this.client = client;
		this.layout = layout;
		this.hub = hub;
		this.scheduler = scheduler;
		this.wanted = wanted;
	}

	/** Report a broken feed (etcd unavailable) and each answer to {@code reachability} from now on. */
	void reportTo(Reachability reachability) {
		this.reachability = reachability;
		// Whoever reports the outage first (a call may), only this probe tells its end when the
		// application makes no call: one probe at a time.
		reachability.onLost(() -> {
			if (this.probing.compareAndSet(false, true)) {
				probeLater(reachability);
			}
		});
	}

	/** What the feed tells about the server: only an unavailable server is an outage. */
	private void report(@Nullable Throwable failure) {
		Reachability reporting = this.reachability;
		if (reporting == null) {
			return;
		}
		if (failure == null) {
			reporting.reachable();
		}
		else if (EtcdCalls.isUnavailable(failure)) {
			reporting.unreachable("the watch feed broke: " + failure.getMessage());
		}
	}

	/**
	 * jetcd resumes the watch silently, and a resumed watch says nothing until something
	 * changes: a cheap read every second tells when etcd answers again.
	 */
	private void probeLater(Reachability reporting) {
		try {
			this.scheduler.schedule(() -> {
				synchronized (this) {
					if (this.closed || reporting.isReachable()) {
						this.probing.set(false);
						return;
					}
				}
				this.client.getKVClient()
					.get(this.layout.rangeStart(""), GetOption.builder().withCountOnly(true).build())
					// A probe lost on a silent server must not end the probing.
					.orTimeout(MAX_RETRY.toMillis(), TimeUnit.MILLISECONDS)
					.whenComplete((response, failure) -> {
						if (failure == null) {
							this.probing.set(false);
							reporting.reachable();
						}
						else {
							probeLater(reporting);
						}
					});
			}, 1, TimeUnit.SECONDS);
		}
		catch (RejectedExecutionException ex) {
			// The store is closing.
			this.probing.set(false);
		}
	}

	/**
	 * Make sure the feed runs and covers every change after {@code revision}: a state read at
	 * {@code revision} plus the feed then never misses a change.
	 */
	synchronized void ensureCovers(long revision) {
		if (this.closed || this.current != null) {
			return;
		}
		this.lastRevision = revision;
		start(revision + 1);
	}

	/** Stop the feed if no watch needs it any more. */
	synchronized void stopIfUnwanted() {
		if (this.current != null && !this.wanted.getAsBoolean()) {
			Watcher watcher = this.current;
			this.current = null;
			watcher.close();
		}
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.current != null) {
			this.current.close();
			this.current = null;
		}
	}

	private void start(long fromRevision) {
		WatchOption option = WatchOption.builder()
			.withRange(this.layout.rangeEnd(""))
			.withRevision(fromRevision)
			// No prevKV: each watch keeps the pairs it has seen, so a delete event already
			// carries the previous pair, and puts would otherwise carry two values.
			.withProgressNotify(true)
			.build();
		Watcher watcher = new Watcher();
		this.current = watcher;
		watcher.watcher = this.client.getWatchClient().watch(this.layout.rangeStart(""), option, watcher);
	}

	/** jetcd stopped the watch for good: start again, resyncing when changes were lost. */
	private synchronized void restart(Watcher ended) {
		if (this.closed || this.current != ended) {
			return;
		}
		this.current = null;
		// Make sure jetcd does not resume it on its own as well.
		ended.close();
		if (!this.wanted.getAsBoolean()) {
			return;
		}
		long compacted = ended.compactedAt;
		if (compacted > 0) {
			logger.info("etcd compacted the history the watch feed needed (revision {}, compacted up to {}); resyncing every watch",
					this.lastRevision + 1, compacted);
			this.lastRevision = compacted - 1;
			start(compacted);
			this.hub.resyncAll("etcd compacted its history up to revision " + compacted);
			return;
		}
		scheduleResume();
	}

	private void scheduleResume() {
		Duration delay = this.retry;
		this.retry = (delay.multipliedBy(2).compareTo(MAX_RETRY) > 0) ? MAX_RETRY : delay.multipliedBy(2);
		try {
			this.scheduler.schedule(this::resume, delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// The store is closing: its watches end with it.
		}
	}

	/**
	 * Start again after jetcd gave up for another reason than compaction: from the last
	 * revision seen if the server still has it, otherwise (its data was replaced) from now,
	 * with a resync.
	 */
	private void resume() {
		synchronized (this) {
			if (this.closed || this.current != null || !this.wanted.getAsBoolean()) {
				return;
			}
		}
		this.client.getKVClient()
			.get(this.layout.rangeStart(""), GetOption.builder().withCountOnly(true).build())
			.whenComplete((response, failure) -> {
				synchronized (this) {
					if (this.closed || this.current != null) {
						return;
					}
					if (failure != null) {
						logger.debug("Restarting the etcd watch feed failed; retrying", failure);
						scheduleResume();
						return;
					}
					long now = response.getHeader().getRevision();
					if (this.lastRevision > now) {
						this.lastRevision = now;
						start(now + 1);
						// The hub checks the epoch marker first, off this gRPC thread.
						this.hub.resyncAfterReconnect("the etcd server's revision went back to " + now + " (its data was replaced)");
					}
					else {
						start(this.lastRevision + 1);
					}
				}
			});
	}

	/**
	 * jetcd resumes a watch by itself after an error, from the next revision; a server that
	 * lost its data has not reached it and would stay silent. Once etcd answers, compare its
	 * revision with the last one seen and start again, resyncing, if it went back.
	 */
	private void checkRevisionLater(Watcher watcher, Duration delay) {
		try {
			this.scheduler.schedule(() -> this.client.getKVClient()
				.get(this.layout.rangeStart(""), GetOption.builder().withCountOnly(true).build())
				.whenComplete((response, failure) -> {
					synchronized (this) {
						if (this.closed || this.current != watcher) {
							return;
						}
						if (failure != null) {
							Duration next = (delay.multipliedBy(2).compareTo(MAX_RETRY) > 0) ? MAX_RETRY : delay.multipliedBy(2);
							checkRevisionLater(watcher, next);
							return;
						}
						long now = response.getHeader().getRevision();
						if (now < this.lastRevision) {
							this.current = null;
							watcher.close();
							this.lastRevision = now;
							start(now + 1);
							this.hub.resyncAfterReconnect("the etcd server's revision went back to " + now + " (its data was replaced)");
						}
					}
				}), delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// The store is closing: its watches end with it.
		}
	}

	private synchronized void delivered(Watcher watcher, long revision) {
		if (this.current == watcher && revision > this.lastRevision) {
			this.lastRevision = revision;
			this.retry = Duration.ofMillis(100);
		}
	}

	private final class Watcher implements Watch.Listener {

		private volatile Watch.@Nullable Watcher watcher;

		private volatile long compactedAt;

		private volatile boolean closing;

		void close() {
			this.closing = true;
			Watch.Watcher jetcd = this.watcher;
			if (jetcd != null) {
				jetcd.close();
			}
		}

		@Override
		public void onNext(WatchResponse response) {
			if (this.closing) {
				return;
			}
			report(null);
			long revision = 0;
			for (WatchEvent event : response.getEvents()) {
				KeyValue kv = event.getKeyValue();
				revision = Math.max(revision, kv.getModRevision());
				String key = EtcdWatchFeed.this.layout.relative(kv.getKey());
				if (key == null || !EtcdWatchFeed.this.hub.isWatched(key)) {
					continue;
				}
				if (event.getEventType() == WatchEvent.EventType.PUT) {
					EtcdWatchFeed.this.hub.publishPut(KVPair.wrap(key, kv.getValue().getBytes(), kv.getModRevision()));
				}
				else if (event.getEventType() == WatchEvent.EventType.DELETE) {
					EtcdWatchFeed.this.hub.publishDelete(key, kv.getModRevision());
				}
			}
			if (response.getEvents().isEmpty() && response.isProgressNotify()) {
				// Every change up to the header revision was delivered.
				revision = response.getHeader().getRevision();
			}
			if (revision > 0) {
				delivered(this, revision);
			}
		}

		@Override
		public void onError(Throwable error) {
			Throwable cause = EtcdCalls.unwrap(error);
			if (cause instanceof CompactedException compacted) {
				this.compactedAt = compacted.getCompactedRevision();
			}
			// Otherwise jetcd retries from the last revision it delivered, or calls onCompleted.
			logger.debug("etcd watch feed interrupted: {}", cause.toString());
			if (!this.closing) {
				report(error);
			}
			if (this.compactedAt == 0 && !this.closing) {
				checkRevisionLater(this, Duration.ofMillis(100));
			}
		}

		@Override
		public void onCompleted() {
			if (!this.closing) {
				// Not on jetcd's thread: it may hold its own lock here, and restart takes ours.
				try {
					EtcdWatchFeed.this.scheduler.execute(() -> restart(this));
				}
				catch (RejectedExecutionException ex) {
					// The store is closing: its watches end with it.
				}
			}
		}

	}

}
