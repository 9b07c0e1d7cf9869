package io.valkeyrie.store.consul;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.valkeyrie.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Who watches, and where TTL keys may be: the registry that lets writes skip the change log
 * when no watch feed needs it, and skip clearing a key's session where no TTL key can hold one.
 * A store whose feed runs registers the Consul prefix it watches as
 * {@code <bookkeeping>/watchers/<id>} (held by a session of its own, so it vanishes with a
 * crashed store) and, in the same transaction, bumps the generation key
 * {@code <bookkeeping>/watchers}, before its feed reads the state it relies on.
 * <p>
 * A writer reads the registry once and keeps it. A change of a key that some registered
 * prefix covers is logged; any other change carries a check of the generation key's
 * {@code ModifyIndex} as the writer saw it. Consul applies that check in the same
 * transaction as the change, so an unlogged change commits only while no watcher has
 * registered since the writer's read: a watcher that registered first fails it, and the
 * writer re-reads the registry and logs. Logging more than needed (a registry that still
 * names a watcher gone since) is always safe; writers re-read such a registry every
 * {@value #REFRESH_SECONDS} seconds.
 * <p>
 * The same check covers TTL keys: before its first write of a key held by a session, a store
 * records its Consul prefix as {@code <bookkeeping>/watchers/ttl-<uuid of the prefix>} and bumps the
 * generation. A write outside every recorded prefix then needs no {@code delete} to drop a
 * session the key might hold: it carries the check instead, which fails if a prefix was
 * recorded since. A recorded prefix stays.
 */
final class ConsulWatchRegistry implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ConsulWatchRegistry.class);

	private static final long REFRESH_SECONDS = 5;

	/** How long a registration outlives its store's last renewal, about. */
	private static final Duration RETENTION = Duration.ofSeconds(10);

	private final ConsulHttp http;

	private final ConsulSessions sessions;

	private final ScheduledExecutorService scheduler;

	private final Executor io;

	private final String generationKey;

	private final String registrations;

	private final String ttlMarkers;

	private volatile @Nullable View view;

	private final AtomicBoolean refreshing = new AtomicBoolean();

	// Watcher side, guarded by this.
	private @Nullable String watchedPrefix;

	private @Nullable String session;

	private @Nullable ScheduledFuture<?> renewal;

	private @Nullable Runnable onLost;

	private boolean closed;

	ConsulWatchRegistry(ConsulHttp http, ConsulSessions sessions, String bookkeepingPrefix, ScheduledExecutorService scheduler,
			Executor io) {
		this.http = http;
		this.sessions = sessions;
		this.scheduler = scheduler;
		this.io = io;
		this.generationKey = bookkeepingPrefix + "/watchers";
		this.registrations = this.generationKey + "/";
		this.ttlMarkers = this.registrations + "ttl-";
	}

	/**
	 * The registry as this store last read it.
	 * @param generation the {@code ModifyIndex} of the generation key, 0 if it does not exist
	 * @param generationKey the generation key
	 * @param prefixes the Consul prefixes registered feeds watch
	 * @param ttlPrefixes the Consul prefixes where TTL keys have been written
	 * @param readNanos when it was read ({@link System#nanoTime()})
	 */
	record View(long generation, String generationKey, List<String> prefixes, List<String> ttlPrefixes, long readNanos) {

		/** Whether a registered feed watches {@code consulKey}: its changes must be logged. */
		boolean covers(String consulKey) {
			return startsWithAny(consulKey, this.prefixes);
		}

		/** Whether {@code consulKey} may be held by a TTL key's session. */
		boolean mayHoldSession(String consulKey) {
			return startsWithAny(consulKey, this.ttlPrefixes);
		}

		private static boolean startsWithAny(String consulKey, List<String> prefixes) {
			for (String prefix : prefixes) {
				if (consulKey.startsWith(prefix)) {
					return true;
				}
			}
			return false;
		}

	}

	// ---- Writer side ------------------------------------------------------------------

	/**
	 * The registry to plan a write with: read on first use and after a change; while it names
	 * watchers, read again every few seconds in the background (planning with the older view
	 * meanwhile only logs more than needed).
	 */
	View view() {
		View current = this.view;
		if (current == null) {
			return refresh(null);
		}
		if (!current.prefixes().isEmpty() && System.nanoTime() - current.readNanos() > TimeUnit.SECONDS.toNanos(REFRESH_SECONDS)
				&& this.refreshing.compareAndSet(false, true)) {
			refreshLater(current);
		}
		return current;
	}

	private void refreshLater(View seen) {
		try {
			this.io.execute(() -> {
				try {
					refresh(seen);
				}
				catch (RuntimeException ex) {
					// The next write after the period tries again; the old view only logs more than needed.
					logger.debug("Reading the watch registry failed", ex);
				}
				finally {
					this.refreshing.set(false);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// Closing: no more writes to plan.
			this.refreshing.set(false);
		}
	}

	/** A transaction failed its check against {@code seen}: the registry changed. */
	void changed(View seen) {
		refresh(seen);
	}

	private synchronized View refresh(@Nullable View seen) {
		View current = this.view;
		if (current != null && current != seen) {
			// Another thread read it meanwhile.
			return current;
		}
		ConsulHttp.Response response = this.http.get(ConsulHttp.kvPath(this.generationKey), "recurse&consistent");
		long generation = 0;
		List<String> prefixes = new ArrayList<>();
		List<String> ttlPrefixes = new ArrayList<>();
		if (response.status() != 404) {
			if (!response.ok()) {
				throw new StoreException("consul read of the watch registry failed: " + response.status() + " " + response.text());
			}
			for (ConsulEntry entry : ConsulJson.entries(response.body())) {
				if (entry.key().equals(this.generationKey)) {
					generation = entry.modifyIndex();
				}
				else if (entry.key().startsWith(this.ttlMarkers)) {
					ttlPrefixes.add(new String(entry.value(), StandardCharsets.UTF_8));
				}
				else if (entry.key().startsWith(this.registrations)) {
					prefixes.add(new String(entry.value(), StandardCharsets.UTF_8));
				}
			}
		}
		View fresh = new View(generation, this.generationKey, List.copyOf(prefixes), List.copyOf(ttlPrefixes), System.nanoTime());
		this.view = fresh;
		return fresh;
	}

	/**
	 * Record that keys under {@code consulPrefix} may be held by TTL sessions, unless the
	 * registry says so already; called before such a write.
	 */
	void markTtlPrefix(String consulPrefix) {
		if (view().mayHoldSession(consulPrefix)) {
			return;
		}
		byte[] prefix = consulPrefix.getBytes(StandardCharsets.UTF_8);
		// Named by the prefix, so stores of one namespace record it once.
		String marker = this.ttlMarkers + UUID.nameUUIDFromBytes(prefix);
		writeAndBump(marker, prefix, null, "record where TTL keys are");
	}

	/**
	 * Write a registry entry and bump the generation in one transaction, so every writer's
	 * next check fails and it reads the registry again; this store's own writes read it
	 * again too.
	 */
	private void writeAndBump(String key, byte[] value, @Nullable String session, String what) {
		ConsulJson.Txn txn = new ConsulJson.Txn().set(key, value, 0, session)
			.set(this.generationKey, key.getBytes(StandardCharsets.UTF_8), 0, null);
		ConsulHttp.Response response = this.http.put("txn", "", txn.toBytes());
		if (response.status() != 200) {
			throw new StoreException("consul refused to " + what + ": " + response.status() + " " + response.text());
		}
		this.view = null;
	}

	// ---- Watcher side -----------------------------------------------------------------

	/**
	 * Make sure this store's feed is registered for {@code consulPrefix}: register it if it is
	 * not, or if Consul dropped its session. Called by the feed before it reads a state it
	 * will follow with the change log.
	 * @param onLost run when a renewal finds the registration gone (after registering again):
	 * changes may have been left unlogged meanwhile
	 */
	synchronized void ensureRegistered(String consulPrefix, Runnable onLost) {
		if (this.closed) {
			return;
		}
		this.watchedPrefix = consulPrefix;
		this.onLost = onLost;
		if (this.session != null && this.sessions.renew(this.session)) {
			return;
		}
		register();
	}

	private void register() {
		String prefix = this.watchedPrefix;
		if (prefix == null) {
			return;
		}
		dropSession();
		Duration ttl = this.sessions.sessionTtl(RETENTION);
		String id = this.sessions.create("valkeyrie-watch", ttl, "delete", Duration.ZERO);
		this.session = id;
		String key = this.registrations + UUID.randomUUID();
		writeAndBump(key, prefix.getBytes(StandardCharsets.UTF_8), id, "register the watch feed");
		long period = Math.max(100, ttl.toMillis() / 2);
		this.renewal = this.scheduler.scheduleAtFixedRate(this::renewLater, period, period, TimeUnit.MILLISECONDS);
	}

	private void renewLater() {
		try {
			this.io.execute(this::renew);
		}
		catch (RejectedExecutionException ex) {
			// Closing: the registration goes with its session.
		}
	}

	private void renew() {
		Runnable lost;
		synchronized (this) {
			String id = this.session;
			if (this.closed || id == null) {
				return;
			}
			try {
				if (this.sessions.renew(id)) {
					return;
				}
				logger.info("Consul dropped the watch registration of prefix '{}'; registering again and resyncing", this.watchedPrefix);
				register();
			}
			catch (RuntimeException ex) {
				// The next period retries; Consul keeps the session for its TTL, and the feed
				// registers again when it reconnects.
				logger.debug("Renewing the watch registration failed", ex);
				return;
			}
			lost = this.onLost;
		}
		if (lost != null) {
			lost.run();
		}
	}

	private void dropSession() {
		if (this.renewal != null) {
			this.renewal.cancel(false);
			this.renewal = null;
		}
		String id = this.session;
		this.session = null;
		if (id != null) {
			this.sessions.destroyLater(id);
		}
	}

	/** Deregister: destroying the session deletes the registration (writers notice within seconds). */
	@Override
	public void close() {
		String id;
		synchronized (this) {
			this.closed = true;
			if (this.renewal != null) {
				this.renewal.cancel(false);
			}
			id = this.session;
			this.session = null;
		}
		if (id != null) {
			try {
				this.sessions.destroy(id);
			}
			catch (RuntimeException ex) {
				// Unreachable agent: the session expires by its TTL and takes the registration with it.
				logger.debug("Destroying the watch registration on close failed", ex);
			}
		}
	}

}
