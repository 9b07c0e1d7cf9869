package io.valkeyrie.store.consul;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.AbstractStoreLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * A lock on a Consul lock record under the bookkeeping prefix (never on the data key, so a
 * key holding data can be locked). Each acquisition creates a session (TTL half the lock's
 * TTL, behavior {@code delete}, the configured lock-delay) and locks the record with it in a
 * transaction, whose answer gives the record's {@code ModifyIndex}: a Raft index, so the
 * fencing token grows with every acquisition. Waiters block on a query of the record and
 * retry when it changes; unlock releases and deletes the record in one transaction, which
 * wakes them at once (no lock-delay: that applies only when a session is invalidated).
 */
final class ConsulLock extends AbstractStoreLock<ConsulLock.Held> {

	private static final Logger logger = LoggerFactory.getLogger(ConsulLock.class);

	private static final byte[] EMPTY = new byte[0];

	private final ConsulStore consul;

	private final String record;

	ConsulLock(ConsulStore store, String key, LockOptions options) {
		super(store, key, options);
		this.consul = store;
		this.record = store.lockRecord(key);
	}

	@Override
	protected Duration validity() {
		// Consul may invalidate a session as early as its TTL after the last renewal.
		return this.consul.sessions().sessionTtl(this.options.ttl());
	}

	@Override
	protected @Nullable Held acquire(long deadlineNanos) throws InterruptedException {
		ConsulSessions sessions = this.consul.sessions();
		Duration sessionTtl = sessions.sessionTtl(this.options.ttl());
		Duration lockDelay = this.consul.settings().lockDelay();
		long renewed = System.nanoTime();
		String session = sessions.create("valkeyrie-lock", sessionTtl, "delete", lockDelay);
		Held held = null;
		ConsulHttp.Aborter aborter = new ConsulHttp.Aborter();
		CountDownLatch closing = new CountDownLatch(1);
		Runnable wake = () -> {
			closing.countDown();
			aborter.abort();
		};
		this.consul.onClose(wake);
		try {
			long backoff = 20;
			while (true) {
				if (System.nanoTime() - renewed > sessionTtl.toNanos() / 2) {
					// A long wait: keep the waiting session alive (or replace it if Consul dropped it).
					long sent = System.nanoTime();
					if (!sessions.renew(session)) {
						session = sessions.create("valkeyrie-lock", sessionTtl, "delete", lockDelay);
					}
					renewed = sent;
				}
				ConsulJson.TxnResult result;
				try {
					result = this.consul.txn(new ConsulJson.Txn().set(this.record, EMPTY, 0, session));
				}
				catch (RuntimeException ex) {
					// Sent but not answered (interrupted, timed out, closed): it may have locked the record.
					String sent = session;
					this.consul.cleanUpAttempt("Giving back lock '" + this.key + "'", () -> releaseQuietly(sent));
					throw ex;
				}
				if (result.committed() && result.last() != null) {
					held = new Held(result.last().modifyIndex(), renewed, session);
					startRenewal(held, sessionTtl);
					return held;
				}
				long remaining = deadlineNanos - System.nanoTime();
				if (remaining <= 0) {
					return null;
				}
				logger.debug("Lock '{}' not acquired: {}", this.key, result.error());
				if (result.error() != null && result.error().contains("invalid session")) {
					renewed = Long.MIN_VALUE / 2;
					continue;
				}
				ConsulHttp.Response current = this.consul.http().get(ConsulHttp.kvPath(this.record), "recurse&consistent");
				ConsulEntry entry = current.ok() ? ConsulJson.first(current.body()) : null;
				boolean taken = entry != null && entry.key().equals(this.record) && entry.session() != null;
				if (taken) {
					Duration wait = Duration.ofNanos(Math.min(remaining, this.consul.settings().watchWait().toNanos()));
					awaitChange(current.index(), wait, aborter);
					backoff = 20;
				}
				else {
					// Free but refused: the lock-delay after a holder's session was invalidated.
					// Consul sends no notice when it ends, so retry with back-off.
					closing.await(Math.min(backoff, TimeUnit.NANOSECONDS.toMillis(remaining) + 1), TimeUnit.MILLISECONDS);
					backoff = Math.min(backoff * 2, 500);
				}
				this.consul.ensureOpen();
			}
		}
		finally {
			this.consul.removeOnClose(wake);
			if (held == null) {
				sessions.destroyLater(session);
			}
		}
	}

	/**
	 * Give back the record if {@code session} holds it, whatever the caller's interrupt status
	 * (kept): destroying the session alone would free it only after the lock-delay.
	 */
	private void releaseQuietly(String session) {
		boolean interrupted = Thread.interrupted();
		try {
			giveBack(session);
		}
		catch (RuntimeException ex) {
			// Unreachable or closed: destroying the session frees the record, after the lock-delay.
			logger.debug("Giving back lock '{}' failed", this.key, ex);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** Delete the record if {@code session} holds it, in one transaction; whether it did. */
	private boolean giveBack(String session) {
		return this.consul.txn(new ConsulJson.Txn().checkSession(this.record, session).op("delete", this.record)).committed();
	}

	/** Block until the record changes or {@code wait} passes; interruptible, and ended by the store's close. */
	private void awaitChange(long index, Duration wait, ConsulHttp.Aborter aborter) throws InterruptedException {
		Future<ConsulHttp.Response> query = this.consul.io()
			.submit(() -> this.consul.http()
				.blockingGet(ConsulHttp.kvPath(this.record), "recurse", Math.max(1, index), wait, aborter));
		try {
			query.get();
		}
		catch (InterruptedException ex) {
			aborter.abort();
			query.cancel(true);
			throw ex;
		}
		catch (ExecutionException ex) {
			this.consul.ensureOpen();
			if (ex.getCause() instanceof StoreException failure) {
				throw failure;
			}
			throw new StoreException("Waiting for lock '" + this.key + "' failed", ex.getCause());
		}
	}

	private void startRenewal(Held held, Duration sessionTtl) {
		long period = Math.max(100, sessionTtl.toMillis() / 2);
		ScheduledFuture<?> renewal = this.consul.scheduler().scheduleAtFixedRate(() -> this.consul.io().execute(() -> check(held)),
				period, period, TimeUnit.MILLISECONDS);
		held.onEnd(() -> renewal.cancel(false));
	}

	/** Renew the session (or, without renewal, check it) and check that the record is still ours. */
	private void check(Held held) {
		if (held() != held) {
			return;
		}
		ConsulSessions sessions = this.consul.sessions();
		try {
			long sent = System.nanoTime();
			boolean alive = this.options.renew() ? sessions.renew(held.session) : sessions.exists(held.session);
			if (!alive) {
				lost(held, LockLoss.Reason.SESSION_EXPIRED, null);
				return;
			}
			if (this.options.renew()) {
				held.renewed(sent);
			}
			held.lastContact = System.nanoTime();
			ConsulEntry entry = this.consul.read(this.record, "consistent");
			if (entry == null || !held.session.equals(entry.session())) {
				lost(held, LockLoss.Reason.RECORD_REMOVED, null);
			}
		}
		catch (StoreUnavailableException ex) {
			if (System.nanoTime() - held.lastContact > this.options.ttl().toNanos()) {
				lost(held, LockLoss.Reason.RENEWAL_FAILED, ex);
			}
		}
		catch (RuntimeException ex) {
			// The next period checks again.
			logger.debug("Checking lock '{}' failed", this.key, ex);
		}
	}

	@Override
	protected boolean release(Held held) {
		boolean ours = true;
		try {
			ours = giveBack(held.session);
		}
		catch (RuntimeException ex) {
			// Unreachable agent: the session expires by its TTL and frees the record then.
			logger.debug("Releasing lock '{}' failed", this.key, ex);
		}
		// Released first, so destroying the session sets no lock-delay on the record.
		this.consul.sessions().destroyLater(held.session);
		return ours;
	}

	static final class Held extends AbstractStoreLock.Acquisition {

		final String session;

		volatile long lastContact = System.nanoTime();

		Held(long fencingToken, long sentNanos, String session) {
			super(fencingToken, sentNanos);
			this.session = session;
		}

	}

}
