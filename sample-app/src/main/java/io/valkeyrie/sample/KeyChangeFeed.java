package io.valkeyrie.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.WatchOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live feed: {@code GET /api/events} is a server-sent event stream. It sends
 * {@code ready} (with this instance's id), then a {@code snapshot} with every key, then one
 * {@code change} per put or delete whose event id is the change's index (the store's
 * {@code lastIndex}), and another {@code snapshot} (marked {@code resync}) whenever changes
 * may have been missed.
 * <p>
 * A browser that reconnects sends the last id it saw as {@code Last-Event-ID}: the stream
 * then resumes after that index with exactly the changes it missed, from the store's history
 * ({@link WatchOptions#resumeFrom}); where the store no longer has them it sends a resync
 * snapshot instead. Either way the page ends up with the store's state.
 * <p>
 * Every client has its own store watch and its own {@link FeedSubscriber} queue, so a slow
 * or dead client costs the others nothing.
 */
@RestController
class KeyChangeFeed implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(KeyChangeFeed.class);

	/**
	 * How long a stream lasts. Then it ends and EventSource reconnects (and resumes), so the
	 * stream of a client that vanished without closing its connection is released in time.
	 */
	private static final Duration TIMEOUT = Duration.ofMinutes(30);

	private final Set<FeedSubscriber> subscribers = ConcurrentHashMap.newKeySet();

	private final Store store;

	private final Instance instance;

	private final int queueCapacity;

	/** Writes to the clients' connections; a write to a stalled client holds only its own thread. */
	private final ExecutorService sender;

	KeyChangeFeed(Store store, Instance instance, @Value("${sample.feed.queue-capacity:10000}") int queueCapacity) {
		if (queueCapacity < 1) {
			throw new IllegalArgumentException("'sample.feed.queue-capacity' must be positive, was " + queueCapacity);
		}
		this.store = store;
		this.instance = instance;
		this.queueCapacity = queueCapacity;
		AtomicInteger count = new AtomicInteger();
		this.sender = Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "sample-feed-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	@GetMapping(path = "/api/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter subscribe(@RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId)
			throws IOException {
		long resumeFrom = resumeIndex(lastEventId);
		SseEmitter emitter = new SseEmitter(TIMEOUT.toMillis());
		FeedSubscriber subscriber = new FeedSubscriber(emitter, this.queueCapacity, this.sender, resumeFrom > 0,
				this.subscribers::remove);
		this.subscribers.add(subscriber);
		emitter.onCompletion(subscriber::close);
		emitter.onTimeout(subscriber::close);
		emitter.onError((ex) -> subscriber.close());
		// Ready first (buffered until the response starts), then the watch's events: never a change before it.
		emitter.send(SseEmitter.event().name("ready").data(Map.of("instance", this.instance.id()),
				MediaType.APPLICATION_JSON));
		try {
			subscriber.watching(this.store.watchTree("", WatchOptions.DEFAULTS.resumeFrom(resumeFrom),
					subscriber::onEvent));
		}
		catch (RuntimeException ex) {
			subscriber.close();
			throw ex;
		}
		return emitter;
	}

	/** The number of connected clients. */
	int subscribers() {
		return this.subscribers.size();
	}

	/** A comment now and then, so that proxies keep the stream open and dead clients are noticed. */
	@Scheduled(fixedDelay = 20_000, initialDelay = 20_000)
	void keepAlive() {
		this.subscribers.forEach(FeedSubscriber::keepAlive);
	}

	/**
	 * End every stream when the application stops. Graceful shutdown waits for active
	 * requests, and an open stream never ends by itself: without this, every connected page
	 * would hold the shutdown up for its whole timeout.
	 */
	@EventListener(ContextClosedEvent.class)
	void closeStreams() {
		this.subscribers.forEach(FeedSubscriber::close);
	}

	@Override
	public void destroy() {
		this.sender.shutdown();
	}

	/** {@code 0} (start with the whole state) unless the header is an index this feed gave out. */
	private static long resumeIndex(@Nullable String lastEventId) {
		if (lastEventId == null || lastEventId.isBlank()) {
			return 0;
		}
		try {
			return Math.max(0, Long.parseLong(lastEventId.trim()));
		}
		catch (NumberFormatException ex) {
			// Not an id of this feed (another server's, a hand-made request): the whole state is always right.
			logger.debug("Last-Event-ID '{}' is no index; sending the whole state", lastEventId);
			return 0;
		}
	}

}
