package io.valkeyrie.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.WatchHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.SubscriptionListener;

import org.jspecify.annotations.Nullable;

/**
 * The store's one pub/sub subscription: the namespace's change channel, fed in order to the
 * {@link WatchHub}, and its unlock channel, which wakes lock waiters (subscribed the first
 * time a lock of the store waits, so a store that never waits gets no unlock messages).
 * Lettuce re-subscribes by itself after a disconnect; every re-subscription after the first
 * means messages may have been lost, so every watch resyncs and every lock waiter retries.
 * <p>
 * Messages are {@code <op><index> <key length> <key>[value]} with op {@code P} (put, value
 * follows), {@code F} (put of a value too large to inline: read it) or {@code D} (delete).
 */
final class RedisChangeFeed implements MessageListener, SubscriptionListener, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisChangeFeed.class);

	private final RedisAccess access;

	private final RedisLayout layout;

	private final WatchHub hub;

	private final RedisLockWaiters waiters;

	private final ThreadPoolExecutor feed;

	private final CountDownLatch firstSubscription = new CountDownLatch(1);

	private final CompletableFuture<Void> listeningForUnlocks = new CompletableFuture<>();

	private final AtomicBoolean changesSubscribed = new AtomicBoolean();

	private final AtomicBoolean unlocksSubscribed = new AtomicBoolean();

	private volatile @Nullable RedisConnection subscription;

	private volatile boolean closed;

	private volatile Duration timeout = Duration.ZERO;

	RedisChangeFeed(RedisAccess access, RedisLayout layout, WatchHub hub, RedisLockWaiters waiters, String threadName) {
		this.access = access;
		this.layout = layout;
		this.hub = hub;
		this.waiters = waiters;
		waiters.subscribeWith(this::listenForUnlocks);
		this.feed = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), (runnable) -> {
			Thread thread = new Thread(runnable, threadName);
			thread.setDaemon(true);
			return thread;
		});
	}

	/** Subscribe, waiting up to {@code timeout} for the server to confirm. */
	void start(Duration timeout) {
		RedisConnection connection = this.access.connection();
		this.subscription = connection;
		this.timeout = timeout;
		try {
			connection.subscribe(this, this.layout.changes());
			if (!this.firstSubscription.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new StoreUnavailableException("redis", "the pub/sub subscription was not confirmed within " + timeout, null);
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

	/** Subscribe to the unlock channel if not done yet, waiting for the server to confirm. */
	private void listenForUnlocks() {
		if (this.listeningForUnlocks.isDone()) {
			return;
		}
		RedisConnection connection = this.subscription;
		if (connection == null) {
			throw new StoreUnavailableException("redis", "the store is closed", null);
		}
		try {
			connection.getSubscription().subscribe(this.layout.unlocks());
			this.listeningForUnlocks.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreUnavailableException("redis", "interrupted while subscribing to unlocks", ex);
		}
		catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
			throw new StoreUnavailableException("redis", "the unlock subscription was not confirmed within " + this.timeout, ex);
		}
		catch (RuntimeException ex) {
			throw RedisAccess.translate(ex);
		}
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		if (Arrays.equals(channel, this.layout.changes())) {
			if (this.changesSubscribed.compareAndSet(false, true)) {
				this.firstSubscription.countDown();
			}
			else {
				logger.debug("Redis pub/sub re-subscribed to {}: resyncing every watch", this.layout.base());
				submit(() -> this.hub.resyncAll("the redis pub/sub connection was re-established; changes may have been missed"));
			}
		}
		else if (Arrays.equals(channel, this.layout.unlocks())) {
			if (this.unlocksSubscribed.compareAndSet(false, true)) {
				this.listeningForUnlocks.complete(null);
			}
			else {
				this.waiters.wakeAll();
			}
		}
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		byte[] channel = message.getChannel();
		byte[] body = message.getBody();
		if (Arrays.equals(channel, this.layout.unlocks())) {
			this.waiters.wake(new String(body, StandardCharsets.UTF_8));
		}
		else if (this.hub.hasWatches()) {
			submit(() -> {
				try {
					apply(body);
				}
				catch (RuntimeException ex) {
					// Not one of our messages (someone else published on the channel): no watch can use it.
					logger.debug("Ignoring a malformed message on {}", this.layout.base(), ex);
				}
			});
		}
	}

	private void submit(Runnable task) {
		if (this.closed) {
			return;
		}
		try {
			this.feed.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// Closing: no watch is left to feed.
		}
	}

	private void apply(byte[] body) {
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
			case 'P' -> this.hub.publishPut(KVPair.wrap(key, Arrays.copyOfRange(body, keyStart + keyLength, body.length), index));
			case 'D' -> this.hub.publishDelete(key, index);
			case 'F' -> fetch(key, index);
			default -> logger.debug("Ignoring a message of unknown kind on {}", this.layout.base());
		}
	}

	private void fetch(String key, long index) {
		try {
			List<byte[]> fields = this.access.call((c) -> c.hashCommands().hMGet(this.layout.data(key), RedisStore.VALUE, RedisStore.INDEX));
			KVPair pair = RedisStore.pair(key, fields);
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
		this.feed.shutdownNow();
		RedisConnection connection = this.subscription;
		this.subscription = null;
		if (connection != null) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				// The server is unreachable; the connection is dropped either way.
				logger.debug("Closing the redis subscription failed", ex);
			}
		}
	}

}
