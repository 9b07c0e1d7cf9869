package io.valkeyrie.store.etcd;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.AbstractStore;
import io.valkeyrie.store.internal.AbstractStoreLock;

import org.jspecify.annotations.Nullable;

/**
 * A lock in the manner of etcd's own mutex: every attempt writes a record under the key's
 * lock prefix, attached to a lease of the lock's TTL; the record with the lowest create
 * revision holds the lock, and every other attempt waits for the deletion of the record just
 * before its own (so an unlock wakes exactly the next waiter, at once). The fencing token is
 * the record's create revision, which grows with every acquisition. The lease is kept alive
 * while waiting and, unless renewal is off, while held; unlock revokes it, which deletes the
 * record.
 */
final class EtcdLock extends AbstractStoreLock<EtcdLock.Held> {

	private final Client client;

	private final EtcdCalls calls;

	private final EtcdLayout layout;

	private final EtcdLeases leases;

	EtcdLock(AbstractStore store, String key, LockOptions options, Client client, EtcdCalls calls, EtcdLayout layout,
			EtcdLeases leases) {
		super(store, key, options);
		this.client = client;
		this.calls = calls;
		this.layout = layout;
		this.leases = leases;
	}

	/** How often an attempt whose lease expired while it waited (a starved keep-alive) queues again. */
	private static final int ATTEMPTS = 3;

	@Override
	protected @Nullable Held acquire(long deadlineNanos) throws InterruptedException {
		for (int attempt = 1;; attempt++) {
			try {
				return attempt(deadlineNanos);
			}
			catch (LeaseExpired ex) {
				if (attempt >= ATTEMPTS || deadlineNanos - System.nanoTime() <= 0) {
					throw new StoreUnavailableException(EtcdCalls.BACKEND,
							"the lease of the lock attempt on '" + this.key + "' expired while waiting", null);
				}
			}
		}
	}

	private @Nullable Held attempt(long deadlineNanos) throws InterruptedException {
		long seconds = EtcdLeases.seconds(this.options.ttl());
		long granting = System.nanoTime();
		long lease = this.leases.grant(seconds);
		Held held = null;
		boolean acquired = false;
		try {
			ByteSequence record = this.layout.lockRecord(this.key, lease);
			long revision = this.calls
				.await("lock record write", this.client.getKVClient()
					.put(record, ByteSequence.EMPTY, PutOption.builder().withLeaseId(lease).build()))
				.getHeader()
				.getRevision();
			held = new Held(revision, granting, lease, record);
			Held attempt = held;
			held.keepAlive = EtcdKeepAlive.start(this.client, lease, (gone, cause) -> {
				attempt.expired = true;
				lostLater(attempt, gone ? LockLoss.Reason.SESSION_EXPIRED : LockLoss.Reason.RENEWAL_FAILED, cause);
			});
			ByteSequence prefix = this.layout.lockPrefix(this.key);
			GetOption predecessor = GetOption.builder()
				.withRange(EtcdLayout.prefixEnd(prefix))
				.withMaxCreateRevision(revision - 1)
				.withSortField(GetOption.SortTarget.CREATE)
				.withSortOrder(GetOption.SortOrder.DESCEND)
				.withLimit(1)
				.withKeysOnly(true)
				.build();
			while (true) {
				if (held.expired) {
					throw new LeaseExpired();
				}
				GetResponse queue = this.calls.await("lock queue read", this.client.getKVClient().get(prefix, predecessor));
				if (queue.getKvs().isEmpty()) {
					holding(held);
					acquired = true;
					return held;
				}
				long remaining = deadlineNanos - System.nanoTime();
				if (remaining <= 0) {
					return null;
				}
				awaitDeletion(queue.getKvs().get(0), queue.getHeader().getRevision() + 1, remaining);
				this.store.ensureOpen();
			}
		}
		finally {
			if (!acquired) {
				if (held != null) {
					held.stopKeepAlive();
				}
				// An interrupted or timed-out attempt still leaves the queue: the revoke runs in the background.
				this.leases.revokeQuietly(lease);
			}
		}
	}

	@Override
	protected boolean release(Held held) {
		held.stopKeepAlive();
		try {
			// Revoking the lease deletes the record, which wakes the next waiter.
			this.calls.await("lock release", this.client.getLeaseClient().revoke(held.lease));
			return true;
		}
		catch (StoreUnavailableException ex) {
			if (!EtcdCalls.isNotFound(ex)) {
				throw ex;
			}
			// The lease is gone already (expired or revoked): so is the record.
			return false;
		}
	}

	/** Watch the held record and lease, to report a loss. */
	private void holding(Held held) {
		long validity = this.options.ttl().toNanos();
		if (!this.options.renew()) {
			// Held for one full TTL from now: refresh once, then let it run out (the lock reports the loss).
			held.stopKeepAlive();
			confirm(held);
		}
		else {
			if (System.nanoTime() - held.confirmedNanos() > validity / 4) {
				// A long wait: jetcd kept the lease alive, but only an answer to a request we timed proves it.
				confirm(held);
			}
			// jetcd's own keep-alive does not tell when its requests were sent: confirm the lease's
			// deadline with requests of our own (a lease has room for two keep-alives per TTL).
			long period = Math.max(1, TimeUnit.NANOSECONDS.toMillis(validity / 3));
			ScheduledFuture<?> renewal = this.store.scheduler().scheduleAtFixedRate(() -> {
				long sent = System.nanoTime();
				this.client.getLeaseClient().keepAliveOnce(held.lease).thenAccept((response) -> {
					if (response.getTTL() > 0) {
						held.renewed(sent);
					}
				});
			}, period, period, TimeUnit.MILLISECONDS);
			held.onEnd(() -> renewal.cancel(false));
		}
		Watch.Watcher watcher = this.client.getWatchClient()
			.watch(held.record, WatchOption.builder().withRevision(held.fencingToken() + 1).withNoPut(true).build(),
					Watch.listener((response) -> {
						for (WatchEvent event : response.getEvents()) {
							if (event.getEventType() == WatchEvent.EventType.DELETE) {
								lostLater(held, this.options.renew() ? LockLoss.Reason.RECORD_REMOVED
										: LockLoss.Reason.EXPIRED, null);
							}
						}
					}));
		held.onEnd(watcher::close);
		held.onEnd(held::stopKeepAlive);
	}

	/** Report a loss off jetcd's threads: releasing blocks on a call jetcd must answer. */
	private void lostLater(Held held, LockLoss.Reason reason, @Nullable Throwable cause) {
		try {
			this.store.scheduler().execute(() -> lost(held, reason, cause));
		}
		catch (RejectedExecutionException ex) {
			// The store is closing and releases the lock itself.
		}
	}

	/** Refresh the lease and note when, one round trip. */
	private void confirm(Held held) {
		long sent = System.nanoTime();
		try {
			this.calls.await("lock lease refresh", this.client.getLeaseClient().keepAliveOnce(held.lease));
		}
		catch (StoreUnavailableException ex) {
			if (EtcdCalls.isNotFound(ex)) {
				throw new LeaseExpired();
			}
			throw ex;
		}
		held.renewed(sent);
	}

	/** The attempt's lease expired before it held the lock: its record is gone, queue again. */
	private static final class LeaseExpired extends RuntimeException {

		private static final long serialVersionUID = 1L;

		LeaseExpired() {
			super(null, null, false, false);
		}

	}

	private void awaitDeletion(KeyValue predecessor, long fromRevision, long remainingNanos) throws InterruptedException {
		CompletableFuture<Void> deleted = new CompletableFuture<>();
		Runnable wake = () -> deleted.complete(null);
		this.store.onClose(wake);
		Watch.Watcher watcher = this.client.getWatchClient()
			.watch(predecessor.getKey(), WatchOption.builder().withRevision(fromRevision).withNoPut(true).build(),
					Watch.listener((response) -> {
						if (response.getEvents().stream().anyMatch((e) -> e.getEventType() == WatchEvent.EventType.DELETE)) {
							deleted.complete(null);
						}
					}, (error) -> deleted.complete(null), () -> deleted.complete(null)));
		try {
			// A TTL at most: if the watch stalls unnoticed, reading the queue again is the safety net.
			deleted.get(Math.min(remainingNanos, this.options.ttl().toNanos()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException | ExecutionException ex) {
			// Read the queue again: the caller checks the deadline.
		}
		finally {
			this.store.removeOnClose(wake);
			watcher.close();
		}
	}

	/** One acquisition: its lease and record. */
	static final class Held extends AbstractStoreLock.Acquisition {

		private final long lease;

		private final ByteSequence record;

		private volatile @Nullable EtcdKeepAlive keepAlive;

		private volatile boolean expired;

		Held(long revision, long sentNanos, long lease, ByteSequence record) {
			super(revision, sentNanos);
			this.lease = lease;
			this.record = record;
		}

		void stopKeepAlive() {
			EtcdKeepAlive current = this.keepAlive;
			if (current != null) {
				current.stop();
			}
		}

	}

}
