package io.valkeyrie.store.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.valkeyrie.store.InvalidTtlException;
import io.valkeyrie.store.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * The leases behind TTL keys. A key with a plain TTL gets a lease of its own, granted for the
 * write, so it expires TTL after its last write. Keys written with keep-alive share one lease
 * per distinct TTL, kept alive by jetcd while the store is open and revoked on close (so they
 * vanish at once). When such a lease is lost (the server was unreachable for longer than the
 * TTL) a new one is granted and the store's keep-alive keys are written again, unless another
 * client changed them meanwhile.
 */
final class EtcdLeases implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(EtcdLeases.class);

	private static final Duration MAX_RETRY = Duration.ofSeconds(1);

	private final Client client;

	private final EtcdCalls calls;

	private final ScheduledExecutorService scheduler;

	private final Map<Long, KeepAliveLease> keepAlives = new ConcurrentHashMap<>();

	/** Keep-alive keys this store wrote last, by etcd key. */
	private final Map<ByteSequence, Tracked> tracked = new ConcurrentHashMap<>();

	private volatile boolean closed;

	EtcdLeases(Client client, EtcdCalls calls, ScheduledExecutorService scheduler) {
		this.client = client;
		this.calls = calls;
		this.scheduler = scheduler;
	}

	/** etcd leases count whole seconds: round up, so a key never lives shorter than asked. */
	static long seconds(Duration ttl) {
		long seconds = ttl.getSeconds() + ((ttl.getNano() > 0) ? 1 : 0);
		return Math.max(seconds, 1);
	}

	/**
	 * The lease a write with {@code options} attaches its key to: {@code 0} (none) without a
	 * TTL, a fresh lease for a plain TTL, the shared kept-alive lease of the TTL otherwise.
	 */
	long leaseFor(WriteOptions options) {
		Duration ttl = options.ttl();
		if (ttl == null) {
			return 0;
		}
		long seconds = seconds(ttl);
		if (!options.keepAlive()) {
			return grant(seconds);
		}
		KeepAliveLease lease = this.keepAlives.get(seconds);
		if (lease == null) {
			synchronized (this.keepAlives) {
				lease = this.keepAlives.get(seconds);
				if (lease == null) {
					lease = new KeepAliveLease(seconds, grant(seconds));
					this.keepAlives.put(seconds, lease);
					lease.start();
				}
			}
		}
		return lease.id;
	}

	/**
	 * Grant a lease of {@code seconds}. etcd raises a smaller TTL to its own minimum without a
	 * word; that is refused here rather than keeping keys longer than asked.
	 */
	long grant(long seconds) {
		LeaseGrantResponse response = this.calls.await("lease grant", this.client.getLeaseClient().grant(seconds));
		if (response.getTTL() > seconds) {
			revokeQuietly(response.getID());
			throw new InvalidTtlException("TTL " + seconds + " s is below this etcd server's minimum lease TTL of "
					+ response.getTTL() + " s (1.5 x its --election-timeout, rounded up to whole seconds)");
		}
		return response.getID();
	}

	/** Give back a lease nobody needs any more, without waiting; it would expire anyway. */
	void revokeQuietly(long lease) {
		if (lease != 0) {
			this.client.getLeaseClient().revoke(lease).exceptionally((ex) -> {
				// It expires by itself within its TTL, and the keys on it with it.
				logger.debug("Revoking unused etcd lease {} failed", lease, ex);
				return null;
			});
		}
	}

	/** Note the result of a write this store made, so keep-alive keys can be restored. */
	void written(ByteSequence key, byte[] value, WriteOptions options, long lease, long revision) {
		if (options.keepAlive()) {
			this.tracked.put(key, new Tracked(value, seconds(options.ttl()), lease, revision));
		}
		else {
			this.tracked.remove(key);
		}
	}

	/** This store deleted {@code key}: it is no longer to be kept alive. */
	void deleted(ByteSequence key) {
		this.tracked.remove(key);
	}

	/** This store deleted every key in {@code [start, end)}. */
	void deletedRange(ByteSequence start, ByteSequence end) {
		byte[] to = end.getBytes();
		boolean toTheEnd = to.length == 1 && to[0] == 0;
		this.tracked.keySet()
			.removeIf((key) -> compare(key.getBytes(), start.getBytes()) >= 0 && (toTheEnd || compare(key.getBytes(), to) < 0));
	}

	@Override
	public void close() {
		this.closed = true;
		List<CompletableFuture<?>> revokes = new ArrayList<>();
		for (KeepAliveLease lease : this.keepAlives.values()) {
			lease.stop();
			// Revoking deletes the keep-alive keys now rather than a TTL later.
			revokes.add(this.client.getLeaseClient().revoke(lease.id));
		}
		this.keepAlives.clear();
		this.tracked.clear();
		try {
			this.calls.await("lease revoke", CompletableFuture.allOf(revokes.toArray(CompletableFuture[]::new)));
		}
		catch (RuntimeException ex) {
			// Unreachable: the leases expire by themselves within their TTL, as after a crash.
			logger.debug("Revoking keep-alive leases on close failed", ex);
		}
	}

	private static int compare(byte[] a, byte[] b) {
		return java.util.Arrays.compareUnsigned(a, b);
	}

	private record Tracked(byte[] value, long seconds, long lease, long revision) {
	}

	/** One kept-alive lease and its recovery. */
	private final class KeepAliveLease {

		private final long seconds;

		private volatile long id;

		private volatile @Nullable EtcdKeepAlive keepAlive;

		private Duration retry = Duration.ofMillis(200);

		KeepAliveLease(long seconds, long id) {
			this.seconds = seconds;
			this.id = id;
		}

		synchronized void start() {
			this.keepAlive = EtcdKeepAlive.start(EtcdLeases.this.client, this.id,
					(gone, cause) -> recoverLater(gone ? "the lease expired" : "no keep-alive answer within the TTL"));
		}

		synchronized void stop() {
			EtcdKeepAlive current = this.keepAlive;
			this.keepAlive = null;
			if (current != null) {
				current.stop();
			}
		}

		private void recoverLater(String why) {
			if (EtcdLeases.this.closed) {
				return;
			}
			stop();
			Duration delay = this.retry;
			this.retry = (delay.multipliedBy(2).compareTo(MAX_RETRY) > 0) ? MAX_RETRY : delay.multipliedBy(2);
			logger.debug("Keep-alive lease {} ({} s) interrupted: {}; recovering in {}", this.id, this.seconds, why, delay);
			try {
				EtcdLeases.this.scheduler.schedule(() -> recover(why), delay.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException ex) {
				// The store is closing: nothing to keep alive any more.
			}
		}

		private void recover(String why) {
			if (EtcdLeases.this.closed) {
				return;
			}
			try {
				long ttl;
				try {
					ttl = EtcdLeases.this.calls.await("lease keep-alive",
							EtcdLeases.this.client.getLeaseClient().keepAliveOnce(this.id)).getTTL();
				}
				catch (RuntimeException ex) {
					if (!EtcdCalls.isNotFound(ex)) {
						throw ex;
					}
					ttl = 0;
				}
				if (ttl <= 0) {
					// The lease is gone, and its keys with it.
					long old = this.id;
					this.id = grant(this.seconds);
					logger.info("etcd keep-alive lease {} ({} s) expired; writing its keys again with lease {}", old,
							this.seconds, this.id);
				}
				start();
				restoreKeys();
				this.retry = Duration.ofMillis(200);
			}
			catch (RuntimeException ex) {
				logger.debug("Recovering keep-alive lease {} failed; retrying", this.id, ex);
				recoverLater(why);
			}
		}

		/** Write again the keys of this TTL that were on an earlier lease; a failure is retried. */
		private void restoreKeys() {
			for (Map.Entry<ByteSequence, Tracked> entry : EtcdLeases.this.tracked.entrySet()) {
				Tracked tracked = entry.getValue();
				if (tracked.seconds() == this.seconds && tracked.lease() != this.id) {
					restore(entry.getKey(), tracked, this.id);
				}
			}
		}

		private void restore(ByteSequence key, Tracked tracked, long fresh) {
			// Write it again only if nobody changed it since our write (absent, or still ours).
			var put = Op.put(key, ByteSequence.from(tracked.value()), PutOption.builder().withLeaseId(fresh).build());
			var response = EtcdLeases.this.calls.await("restore keep-alive key", EtcdLeases.this.client.getKVClient()
				.txn()
				.If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(tracked.revision())))
				.Then(put)
				.Else(Op.txn(new Cmp[] { new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)) }, new Op[] { put }, new Op[0]))
				.commit());
			boolean restored = response.isSucceeded() || response.getTxnResponses().stream().anyMatch((r) -> r.isSucceeded());
			if (restored) {
				EtcdLeases.this.tracked.put(key, new Tracked(tracked.value(), this.seconds, fresh, response.getHeader().getRevision()));
			}
			else {
				EtcdLeases.this.tracked.remove(key, tracked);
			}
		}

	}

}
