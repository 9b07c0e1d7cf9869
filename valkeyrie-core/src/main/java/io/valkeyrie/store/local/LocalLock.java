package io.valkeyrie.store.local;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.internal.AbstractStoreLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * A lock of a local store: a record in the database's lock table, renewed every third of
 * its TTL while held (when renewal is on), lost when it expires unrenewed.
 */
final class LocalLock extends AbstractStoreLock<LocalLock.Held> {

	private static final Logger logger = LoggerFactory.getLogger(LocalLock.class);

	private final LocalStore localStore;

	private final String fullKey;

	private final LockTable table;

	private final long ttlMillis;

	LocalLock(LocalStore store, String key, String fullKey, LockOptions options, LockTable table) {
		super(store, key, options);
		this.localStore = store;
		this.fullKey = fullKey;
		this.table = table;
		this.ttlMillis = Math.max(1, LocalDatabase.saturatedMillis(options.ttl()));
	}

	@Override
	protected @Nullable Held acquire(long deadlineNanos) throws InterruptedException {
		Runnable wake = () -> this.table.wakeWaiters(this.localStore.timeout());
		this.localStore.onClose(wake);
		Held held;
		try {
			held = this.table.acquire(this.localStore.timeout(), this.fullKey, this.ttlMillis, deadlineNanos,
					this.localStore::isClosed, (token) -> new Held(token, System.nanoTime()));
		}
		finally {
			this.localStore.removeOnClose(wake);
		}
		if (held != null && this.options.renew()) {
			long period = Math.max(1, this.ttlMillis / 3);
			try {
				ScheduledFuture<?> renewal = this.localStore.scheduler()
					.scheduleAtFixedRate(() -> renew(held), period, period, TimeUnit.MILLISECONDS);
				held.onEnd(() -> renewal.cancel(false));
			}
			catch (RejectedExecutionException ex) {
				// The store is closing: give the record back rather than hold it unrenewed.
				release(held);
				throw new StoreClosedException("The local store is closed");
			}
		}
		return held;
	}

	@Override
	protected boolean release(Held acquisition) {
		return this.table.release(this.localStore.timeout(), this.fullKey, acquisition.fencingToken());
	}

	private void renew(Held held) {
		long sent = System.nanoTime();
		try {
			if (this.table.renew(this.localStore.timeout(), this.fullKey, held.fencingToken(), this.ttlMillis)) {
				held.renewed(sent);
			}
			else {
				lost(held, LockLoss.Reason.RECORD_REMOVED, null);
			}
		}
		catch (RuntimeException ex) {
			// A busy or failing database (or a closing store): the next period retries, and a
			// scheduled task that throws would never run again. If the TTL runs out first the loss is reported.
			logger.debug("Renewing lock '{}' failed", this.key, ex);
		}
	}

	/** One acquisition; runs when its record expired unrenewed. */
	final class Held extends AbstractStoreLock.Acquisition implements Runnable {

		Held(long fencingToken, long sentNanos) {
			super(fencingToken, sentNanos);
		}

		@Override
		public void run() {
			lost(this, LockLoss.Reason.EXPIRED, null);
		}

	}

}
