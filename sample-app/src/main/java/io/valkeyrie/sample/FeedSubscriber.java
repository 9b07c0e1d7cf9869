package io.valkeyrie.sample;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter.SseEventBuilder;

/**
 * One client of the live feed: its own store watch, its own bounded queue of events, and at
 * most one task at a time that writes the queue to its connection. A client that is slow
 * fills only its own queue; one that falls a whole queue behind is disconnected (its
 * browser reconnects and resumes from {@code Last-Event-ID}). A client whose connection
 * failed or completed is closed quietly: nothing it does reaches the store's threads or the
 * other clients.
 * <p>
 * Thread-safe: the watch's thread offers events, the sender task writes them, and the
 * container's callbacks or the application close it.
 */
final class FeedSubscriber {

	private static final Logger logger = LoggerFactory.getLogger(FeedSubscriber.class);

	private final SseEmitter emitter;

	private final BlockingQueue<SseEventBuilder> queue;

	private final Executor sender;

	private final Consumer<FeedSubscriber> onClose;

	/** Whether the first snapshot is the state at the resume index, which the client already has. */
	private volatile boolean skipFirstSnapshot;

	private final AtomicBoolean sending = new AtomicBoolean();

	private final AtomicBoolean closed = new AtomicBoolean();

	private final AtomicBoolean completed = new AtomicBoolean();

	private volatile @Nullable Watch watch;

	FeedSubscriber(SseEmitter emitter, int capacity, Executor sender, boolean resuming,
			Consumer<FeedSubscriber> onClose) {
		this.emitter = emitter;
		this.queue = new ArrayBlockingQueue<>(capacity);
		this.sender = sender;
		this.skipFirstSnapshot = resuming;
		this.onClose = onClose;
	}

	/** The watch that feeds this client; closed with it. */
	void watching(Watch watch) {
		this.watch = watch;
		if (this.closed.get()) {
			watch.close();
		}
	}

	/** The store's listener: queue the event, never block. */
	void onEvent(WatchEvent event) {
		if (event instanceof WatchEvent.Snapshot snapshot) {
			boolean skip = this.skipFirstSnapshot && !snapshot.isResync();
			this.skipFirstSnapshot = false;
			if (!skip) {
				offer(SseEmitter.event().name("snapshot").data(new KeySnapshot(snapshot.isResync(), snapshot.reason(),
						snapshot.pairs().stream().map(KeyValue::of).toList()), MediaType.APPLICATION_JSON));
			}
		}
		else if (event instanceof WatchEvent.Put put) {
			KVPair pair = put.pair();
			offer(change(KeyChange.put(pair.key(), pair.value(), pair.lastIndex())));
		}
		else if (event instanceof WatchEvent.Delete delete) {
			offer(change(KeyChange.delete(delete.key(), delete.lastIndex())));
		}
	}

	/** A comment that keeps proxies from closing an idle stream and finds out dead connections. */
	void keepAlive() {
		offer(SseEmitter.event().comment("keep-alive"));
	}

	/** Stop the watch and end the stream (after the write under way, if any). Idempotent. */
	void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		Watch current = this.watch;
		if (current != null) {
			current.close();
		}
		this.queue.clear();
		this.onClose.accept(this);
		schedule();
	}

	boolean isClosed() {
		return this.closed.get();
	}

	private static SseEventBuilder change(KeyChange change) {
		return SseEmitter.event().id(String.valueOf(change.index())).name("change").data(change,
				MediaType.APPLICATION_JSON);
	}

	private void offer(SseEventBuilder event) {
		if (this.closed.get()) {
			return;
		}
		if (!this.queue.offer(event)) {
			logger.info("A feed client fell {} events behind; disconnecting it (it resumes from Last-Event-ID)",
					this.queue.size());
			close();
			return;
		}
		schedule();
	}

	private void schedule() {
		if (this.sending.compareAndSet(false, true)) {
			this.sender.execute(this::send);
		}
	}

	/** Runs on the sender, one task per client at a time: the only place that writes to the connection. */
	private void send() {
		try {
			SseEventBuilder event;
			while (!this.closed.get() && (event = this.queue.poll()) != null) {
				this.emitter.send(event);
			}
		}
		catch (IOException | RuntimeException ex) {
			// The connection failed or was completed (the client went away, the container gave
			// up on it): this client is done, the others are not concerned.
			logger.debug("Feed client gone: {}", ex.toString());
			close();
		}
		finally {
			this.sending.set(false);
		}
		if (this.closed.get()) {
			complete();
		}
		else if (!this.queue.isEmpty()) {
			schedule();
		}
	}

	private void complete() {
		if (this.completed.compareAndSet(false, true)) {
			try {
				this.emitter.complete();
			}
			catch (RuntimeException ex) {
				// Already completed or failed in the container: nothing left to end.
				logger.debug("Feed client already ended: {}", ex.toString());
			}
		}
	}

}
