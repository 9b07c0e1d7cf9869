package io.valkeyrie.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live feed: {@code GET /api/events} is a server-sent event stream that first sends
 * {@code ready} (with this instance's id) and then one {@code change} event per key change,
 * as JSON {@link KeyChange}. A client that (re)connects reloads its list on {@code ready}, so
 * it misses nothing between a reconnect and the next change.
 */
@RestController
class KeyChangeFeed {

	private static final Logger logger = LoggerFactory.getLogger(KeyChangeFeed.class);

	/**
	 * How long a stream lasts. Then it ends and EventSource reconnects (and reloads), so the
	 * stream of a client that vanished without closing its connection is released in time.
	 */
	private static final Duration TIMEOUT = Duration.ofMinutes(30);

	private final Set<SseEmitter> emitters = new CopyOnWriteArraySet<>();

	private final Instance instance;

	KeyChangeFeed(Instance instance) {
		this.instance = instance;
	}

	@GetMapping(path = "/api/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter subscribe() throws IOException {
		SseEmitter emitter = new SseEmitter(TIMEOUT.toMillis());
		emitter.onCompletion(() -> this.emitters.remove(emitter));
		// Completing on timeout ends the stream cleanly (EventSource reconnects) instead of an error.
		emitter.onTimeout(emitter::complete);
		emitter.onError((ex) -> this.emitters.remove(emitter));
		// Ready first (buffered until the response starts), then changes: never a change before it.
		emitter.send(SseEmitter.event().name("ready").data(Map.of("instance", this.instance.id()),
				MediaType.APPLICATION_JSON));
		this.emitters.add(emitter);
		return emitter;
	}

	/**
	 * Send a change to every connected client.
	 * @param change the change
	 */
	void publish(KeyChange change) {
		send(() -> SseEmitter.event().name("change").data(change, MediaType.APPLICATION_JSON));
	}

	/** A comment now and then, so that proxies keep the stream open and dead clients are noticed. */
	@Scheduled(fixedDelay = 20_000, initialDelay = 20_000)
	void keepAlive() {
		send(() -> SseEmitter.event().comment("keep-alive"));
	}

	/**
	 * End every stream when the application stops. Graceful shutdown waits for active
	 * requests, and an open stream never ends by itself: without this, every connected page
	 * would hold the shutdown up for its whole timeout.
	 */
	@EventListener(ContextClosedEvent.class)
	void closeStreams() {
		for (SseEmitter emitter : this.emitters) {
			this.emitters.remove(emitter);
			emitter.complete();
		}
	}

	/** A fresh builder per client: building an event appends to the builder, so one cannot be sent twice. */
	private void send(Supplier<SseEmitter.SseEventBuilder> event) {
		for (SseEmitter emitter : this.emitters) {
			try {
				emitter.send(event.get());
			}
			catch (IOException | IllegalStateException ex) {
				// The client went away (or its emitter completed): drop it; EventSource reconnects if it still lives.
				logger.debug("Dropping an SSE client: {}", ex.toString());
				this.emitters.remove(emitter);
				emitter.completeWithError(ex);
			}
		}
	}

}
