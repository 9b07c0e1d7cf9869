package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.event.EventBus;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.WatchHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;
import reactor.core.Disposable;

import org.jspecify.annotations.Nullable;

/**
 * The store's one pub/sub subscription (a {@link RedisSubscription}: plain, or sharded on a
 * Redis Cluster): the namespace's change channel, fed in order to the {@link WatchHub}, and its
 * own unlock channel, which wakes its lock waiters. Lettuce re-subscribes by itself after a disconnect
 * (and a sharded subscription follows its slot to a new master); every re-subscription after
 * the first means messages may have been lost, so every watch resyncs and every lock waiter retries.
 * <p>
 * The change channel is subscribed when the first watch opens (before it reads its initial
 * state), not before: a store that never watches is not sent a copy of every change of the
 * namespace, its own writes included. If that subscription cannot be confirmed in time, the
 * watches resync as soon as it is.
 * <p>
 * Messages are {@code <op><index> <key length> <key>[value]} with op {@code P} (put, value
 * follows), {@code F} (put of a value too large to inline: read it) or {@code D} (delete).
 */
final class RedisChangeFeed implements MessageListener, SubscriptionListener, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisChangeFeed.class);

	private static final Duration RETRY = Duration.ofSeconds(1);

	private final RedisAccess access;

	private final RedisLayout layout;

	private final WatchHub hub;

	private final RedisLockWaiters waiters;

	/** This store's unlock channel: only the hand-overs of locks it waits for are published there. */
	private final byte[] unlocks;

	private final ThreadPoolExecutor feed;

	private final ScheduledExecutorService io;

	private final Duration timeout;

	private final CountDownLatch unlocksConfirmed = new CountDownLatch(1);

	private final CountDownLatch changesConfirmed = new CountDownLatch(1);

	/** Serialises attempts to subscribe the change channel. */
	private final Object subscribing = new Object();

	/** Guards {@link #changesSubscribed} and {@link #resyncWhenConfirmed}; never held while waiting. */
	private final Object confirmation = new Object();

	private boolean changesSubscribed;

	private boolean resyncWhenConfirmed;

	private final AtomicBoolean unlocksSubscribed = new AtomicBoolean();

	private volatile @Nullable RedisSubscription subscription;

	/** Feed tasks submitted and not finished. Only the pub/sub thread submits them. */
	private final AtomicInteger pending = new AtomicInteger();

	private volatile boolean closed;

	private final @Nullable EventBus clusterEvents;

	private volatile @Nullable Disposable topology;

	RedisChangeFeed(RedisAccess access, RedisLayout layout, WatchHub hub, RedisLockWaiters waiters, String threadName,
			ScheduledExecutorService io, Duration timeout, @Nullable EventBus clusterEvents) {
		this.clusterEvents = clusterEvents;
		this.access = access;
		this.layout = layout;
		this.hub = hub;
		this.waiters = waiters;
		this.unlocks = layout.unlocks(waiters.storeId());
		this.io = io;
		this.timeout = timeout;
		this.feed = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), (runnable) -> {
			Thread thread = new Thread(runnable, threadName);
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Subscribe the unlock channel, waiting up to the timeout for the server to confirm.
	 * @param subscriptions opens the subscription that tells this feed
	 */
	void start(Function<RedisChangeFeed, RedisSubscription> subscriptions) {
		followClusterTopology();
		try {
			RedisSubscription subscription = subscriptions.apply(this);
			this.subscription = subscription;
			subscription.subscribe(this.unlocks);
			if (!this.unlocksConfirmed.await(this.timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new StoreUnavailableException("redis", "the pub/sub subscription was not confirmed within " + BackendOptions.format(this.timeout), null);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			close();
			throw new StoreUnavailableException("redis", "interrupted while subscribing", ex);
		}
		catch (RuntimeException ex) {
			close();
			throw (ex instanceof StoreUnavailableException) ? ex : RedisAccess.translate(ex);
		}
	}

	/**
	 * On a Redis Cluster a change is published by the master of the namespace's slot, and
	 * reaches this store's subscription (on some node) over the cluster bus. A master that
	 * crashes may take a change with it that its replica has, without this subscription ever
	 * breaking; so every change of the cluster's topology (fail-over, slot moved) counts as a
	 * gap: every watch resyncs and every lock waiter retries.
	 */
	private void followClusterTopology() {
		if (this.clusterEvents == null) {
			return;
		}
		this.topology = this.clusterEvents.get().filter(ClusterTopologyChangedEvent.class::isInstance).subscribe((event) -> {
			logger.debug("Redis Cluster topology changed: resyncing every watch of {}", this.layout.base());
			this.waiters.wakeAll();
			if (this.hub.hasWatches()) {
				submit(() -> this.hub.resyncAll("the Redis Cluster topology changed (fail-over or slot move); changes may have been missed"));
			}
		});
	}

	/**
	 * A watch is about to read its initial state: from now on, changes of the namespace must
	 * reach this store. Subscribes the change channel the first time (Lettuce waits up to the
	 * command timeout for the server's confirmation); never throws, since the hub has
	 * registered the watch already.
	 * @return whether the change channel is subscribed; if not (Redis is away), the store keeps
	 * trying and every watch resyncs once it is
	 */
	boolean watchOpened() {
		if (this.changesConfirmed.getCount() == 0) {
			return true;
		}
		boolean confirmed = false;
		if (subscribeChanges()) {
			try {
				// Lettuce confirmed the subscription; onChannelSubscribed hears of it on its I/O thread.
				confirmed = this.changesConfirmed.await(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (!confirmed) {
			synchronized (this.confirmation) {
				if (!this.changesSubscribed) {
					// The state this watch reads now may miss changes published before the subscription.
					this.resyncWhenConfirmed = true;
				}
				confirmed = this.changesSubscribed;
			}
		}
		return confirmed;
	}

	/** Subscribe the change channel unless it is; false if that failed (a retry is scheduled). */
	private boolean subscribeChanges() {
		synchronized (this.subscribing) {
			RedisSubscription subscription = this.subscription;
			if (this.changesConfirmed.getCount() == 0 || subscription == null || this.closed) {
				return true;
			}
			try {
				subscription.subscribe(this.layout.changes());
				return true;
			}
			catch (RuntimeException ex) {
				// Redis is away: try again until it answers (the watches resync then).
				logger.debug("Subscribing {} failed; retrying", this.layout.base(), ex);
				retrySubscribeChanges();
				return false;
			}
		}
	}

	private void retrySubscribeChanges() {
		try {
			this.io.schedule(this::subscribeChanges, RETRY.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Closing: no watch is left to feed.
		}
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		if (Arrays.equals(channel, this.layout.changes())) {
			boolean resync;
			synchronized (this.confirmation) {
				resync = this.changesSubscribed || this.resyncWhenConfirmed;
				this.changesSubscribed = true;
				this.resyncWhenConfirmed = false;
			}
			this.changesConfirmed.countDown();
			if (resync) {
				logger.debug("Redis pub/sub (re-)subscribed to {} after a gap: resyncing every watch", this.layout.base());
				submit(() -> this.hub.resyncAfterReconnect("the redis pub/sub connection was re-established; changes may have been missed"));
			}
		}
		else if (Arrays.equals(channel, this.unlocks)) {
			if (this.unlocksSubscribed.compareAndSet(false, true)) {
				this.unlocksConfirmed.countDown();
			}
			else {
				this.waiters.wakeAll();
				// Redis may have restarted without its data; the hub checks the epoch marker off this I/O thread.
				this.hub.reconnected();
			}
		}
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		byte[] channel = message.getChannel();
		byte[] body = message.getBody();
		if (Arrays.equals(channel, this.unlocks)) {
			this.waiters.handedOver(new String(body, StandardCharsets.UTF_8));
		}
		else if (this.hub.hasWatches()) {
			// A change that carries its value only needs routing, which queues it for the watches'
			// delivery threads: done here on the pub/sub thread, it saves a thread hop. Not while feed
			// tasks are pending (a value being read, a resync): it must not overtake them.
			if (this.pending.get() == 0 && body.length > 0 && body[0] != 'F') {
				applyMessage(body, true);
			}
			else {
				submit(() -> applyMessage(body, false));
			}
		}
	}

	private void applyMessage(byte[] body, boolean ioThread) {
		try {
			apply(body, ioThread);
		}
		catch (RuntimeException ex) {
			// Not one of our messages (someone else published on the channel): no watch can use it.
			logger.debug("Ignoring a malformed message on {}", this.layout.base(), ex);
		}
	}

	private void submit(Runnable task) {
		if (this.closed) {
			return;
		}
		this.pending.incrementAndGet();
		try {
			this.feed.execute(() -> {
				try {
					task.run();
				}
				finally {
					this.pending.decrementAndGet();
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// Closing: no watch is left to feed.
			this.pending.decrementAndGet();
		}
	}

	private void apply(byte[] body, boolean ioThread) {
		int indexEnd = indexOf(body, (byte) ' ', 1);
		int lengthEnd = (indexEnd > 0) ? indexOf(body, (byte) ' ', indexEnd + 1) : -1;
		if (body.length < 4 || lengthEnd < 0) {
			// Not ours (someone else published on the channel): nothing a watch could use.
			logger.debug("Ignoring a malformed message on {}", this.layout.base());
			return;
		}
		long index = Long.parseLong(new String(body, 1, indexEnd - 1, StandardCharsets.US_ASCII));
		int keyLength = Integer.parseInt(new String(body, indexEnd + 1, lengthEnd - indexEnd - 1, StandardCharsets.US_ASCII));
		int keyStart = lengthEnd + 1;
		String key = new String(body, keyStart, keyLength, StandardCharsets.UTF_8);
		if (!this.hub.isWatched(key)) {
			return;
		}
		switch (body[0]) {
			case 'P' -> publishPut(KVPair.wrap(key, Arrays.copyOfRange(body, keyStart + keyLength, body.length), index), ioThread);
			case 'D' -> publishDelete(key, index, ioThread);
			case 'F' -> fetch(key, index);
			default -> logger.debug("Ignoring a message of unknown kind on {}", this.layout.base());
		}
	}

	private void publishPut(KVPair pair, boolean ioThread) {
		if (ioThread) {
			this.hub.publishPutFromIoThread(pair);
		}
		else {
			this.hub.publishPut(pair);
		}
	}

	private void publishDelete(String key, long index, boolean ioThread) {
		if (ioThread) {
			this.hub.publishDeleteFromIoThread(key, index);
		}
		else {
			this.hub.publishDelete(key, index);
		}
	}

	private void fetch(String key, long index) {
		try {
			KVPair pair = RedisLayout.pair(key, this.access.lettuce((redis) -> redis.get(this.layout.data(key))));
			// Absent: deleted since, and that delete's message follows.
			if (pair != null && pair.lastIndex() >= index) {
				this.hub.publishPut(pair);
			}
		}
		catch (RuntimeException ex) {
			this.hub.resyncAll("reading a changed value failed: " + ex.getMessage());
		}
	}

	private static int indexOf(byte[] bytes, byte value, int from) {
		for (int i = from; i < bytes.length; i++) {
			if (bytes[i] == value) {
				return i;
			}
		}
		return -1;
	}

	@Override
	public void close() {
		this.closed = true;
		Disposable topology = this.topology;
		if (topology != null) {
			topology.dispose();
		}
		this.feed.shutdownNow();
		RedisSubscription subscription = this.subscription;
		this.subscription = null;
		if (subscription != null) {
			try {
				subscription.close();
			}
			catch (RuntimeException ex) {
				// The server is unreachable; the connection is dropped either way.
				logger.debug("Closing the redis subscription failed", ex);
			}
		}
	}

}
