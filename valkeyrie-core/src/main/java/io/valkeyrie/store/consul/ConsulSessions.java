package io.valkeyrie.store.consul;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.valkeyrie.store.InvalidTtlException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.BackendOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Consul sessions: creation, renewal, destruction, and the store's keep-alive sessions (one
 * per session TTL, renewed while the store is open, destroyed on close so their keys go at
 * once).
 * <p>
 * Consul invalidates a session between its TTL and twice its TTL after the last renewal (in
 * practice at twice the TTL), so a key or lock that must go within {@code ttl} gets a session
 * TTL of {@code ttl / 2}. Consul refuses session TTLs below the agent's
 * {@code session_ttl_min} and above 24 hours.
 */
final class ConsulSessions implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ConsulSessions.class);

	static final Duration MAX_SESSION_TTL = Duration.ofHours(24);

	private final ConsulHttp http;

	private final Duration sessionTtlMin;

	private final ScheduledExecutorService scheduler;

	private final Executor io;

	private final Map<Duration, KeepAlive> keepAlives = new HashMap<>();

	private volatile boolean closed;

	private volatile @Nullable Supplier<Duration> closeTimeLeft;

	ConsulSessions(ConsulHttp http, Duration sessionTtlMin, ScheduledExecutorService scheduler, Executor io) {
		this.http = http;
		this.sessionTtlMin = sessionTtlMin;
		this.scheduler = scheduler;
		this.io = io;
	}

	/** The session TTL that makes Consul drop what the session holds within {@code ttl}. */
	Duration sessionTtl(Duration ttl) {
		Duration half = ttl.dividedBy(2);
		if (half.compareTo(MAX_SESSION_TTL) > 0) {
			return MAX_SESSION_TTL;
		}
		return (half.compareTo(this.sessionTtlMin) < 0) ? this.sessionTtlMin : half;
	}

	/**
	 * Create a session.
	 * @param name a label shown by Consul
	 * @param ttl the session TTL
	 * @param behavior {@code delete} or {@code release}
	 * @param lockDelay how long Consul refuses to lock what the session held after it is invalidated
	 * @return the session ID
	 */
	String create(String name, Duration ttl, String behavior, Duration lockDelay) {
		ConsulHttp.Response response = this.http.put("session/create", "",
				ConsulJson.session(name, ttl.toMillis() + "ms", behavior, lockDelay.toMillis() + "ms"));
		if (response.status() == 400 && response.text().contains("TTL")) {
			throw new InvalidTtlException("consul refused the session TTL " + BackendOptions.format(ttl) + " (" + response.text()
					+ "); the agent's session_ttl_min is higher than the consul option 'session-ttl-min' says");
		}
		if (!response.ok()) {
			throw new StoreException("consul could not create a session: " + response.status() + " " + response.text());
		}
		return ConsulJson.sessionId(response.body());
	}

	/** Renew a session; {@code false} if Consul no longer knows it (expired or destroyed). */
	boolean renew(String id) {
		ConsulHttp.Response response = this.http.put("session/renew/" + id, "", null);
		if (response.status() == 404) {
			return false;
		}
		if (!response.ok()) {
			throw new StoreException("consul could not renew session: " + response.status() + " " + response.text());
		}
		return true;
	}

	/** Whether Consul still knows the session. */
	boolean exists(String id) {
		ConsulHttp.Response response = this.http.get("session/info/" + id, "");
		return response.ok() && !ConsulJson.isEmptyArray(response.body());
	}

	/** Destroy a session: Consul applies its behavior to what it holds. */
	void destroy(String id) {
		Supplier<Duration> closing = this.closeTimeLeft;
		if (closing == null) {
			this.http.put("session/destroy/" + id, "", null);
			return;
		}
		Duration left = closing.get();
		if (left.toMillis() < 1) {
			throw new StoreUnavailableException("consul", "no time left to destroy session " + id
					+ " as the store closes; it expires by its TTL", null);
		}
		this.http.put("session/destroy/" + id, "", null, left);
	}

	/**
	 * The store is closing: from now on a destroy waits only {@code timeLeft} (what is left of
	 * the close's time), so the close as a whole stays within one request timeout.
	 */
	void closing(Supplier<Duration> timeLeft) {
		this.closeTimeLeft = timeLeft;
	}

	/** Destroy a session in the background, for cleanups nobody waits for. */
	void destroyLater(String id) {
		try {
			this.io.execute(() -> {
				try {
					destroy(id);
				}
				catch (RuntimeException ex) {
					// Unreachable agent: the session expires by its TTL and holds nothing we need.
					logger.debug("Destroying consul session failed", ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// The store is closing; the session expires by its TTL.
		}
	}

	/**
	 * The store's keep-alive session for keys of {@code ttl}: created on first use, renewed
	 * while the store is open. Consul deletes the keys it holds within {@code ttl} after the
	 * store stops renewing (close, crash, lost agent).
	 */
	synchronized String keepAlive(Duration ttl) {
		Duration sessionTtl = sessionTtl(ttl);
		KeepAlive keepAlive = this.keepAlives.get(sessionTtl);
		if (keepAlive == null) {
			String id = create("valkeyrie-keep-alive", sessionTtl, "delete", Duration.ZERO);
			keepAlive = new KeepAlive(id, sessionTtl);
			this.keepAlives.put(sessionTtl, keepAlive);
		}
		return keepAlive.id;
	}

	/** Forget every keep-alive session (Consul lost them); keep-alive writes start new ones. */
	synchronized void forgetKeepAlives() {
		for (KeepAlive keepAlive : this.keepAlives.values()) {
			keepAlive.renewal.cancel(false);
		}
		this.keepAlives.clear();
	}

	private synchronized void forget(KeepAlive keepAlive) {
		this.keepAlives.remove(keepAlive.ttl, keepAlive);
		keepAlive.renewal.cancel(false);
	}

	@Override
	public void close() {
		List<KeepAlive> all;
		synchronized (this) {
			this.closed = true;
			all = List.copyOf(this.keepAlives.values());
			this.keepAlives.clear();
		}
		for (KeepAlive keepAlive : all) {
			keepAlive.renewal.cancel(false);
			try {
				destroy(keepAlive.id);
			}
			catch (RuntimeException ex) {
				// Unreachable agent: the session expires by its TTL and takes its keys with it.
				logger.debug("Destroying keep-alive session on close failed", ex);
			}
		}
	}

	private final class KeepAlive {

		final String id;

		final Duration ttl;

		final ScheduledFuture<?> renewal;

		KeepAlive(String id, Duration ttl) {
			this.id = id;
			this.ttl = ttl;
			long period = Math.max(100, ttl.toMillis() / 2);
			this.renewal = ConsulSessions.this.scheduler.scheduleAtFixedRate(() -> ConsulSessions.this.io.execute(this::renew),
					period, period, TimeUnit.MILLISECONDS);
		}

		private void renew() {
			if (ConsulSessions.this.closed) {
				return;
			}
			try {
				if (!ConsulSessions.this.renew(this.id)) {
					logger.warn("Consul dropped keep-alive session (TTL {}); its keys are gone and the next keep-alive write starts a new one",
							this.ttl);
					forget(this);
				}
			}
			catch (RuntimeException ex) {
				// The next period retries; Consul keeps the session for twice its TTL.
				logger.debug("Renewing keep-alive session failed", ex);
			}
		}

	}

}
