package io.valkeyrie.store.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntConsumer;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The writes of key znodes: every change of a key's bytes is one transaction that first
 * writes its {@link Journal} entry (or, while nobody watches, checks that this is still
 * so); removing a key empties its znode, which is reclaimed long after (so CAS compares
 * exactly, see {@link #removeKey}); directory znodes that never held a key are pruned as
 * soon as they are empty.
 */
final class Znodes {

	/** Room for the paths and headers of a journaled write's transaction. */
	private static final int JOURNAL_OVERHEAD = 16 * 1024;

	private final ZkClient client;

	private final ZkLayout layout;

	private final Journal journal;

	/** How long an emptied key znode stays at least, whatever the request timeout. */
	private static final long EMPTIED_MIN_MILLIS = 60_000;

	private final int juteMaxBuffer;

	private final DelayedDeletes emptied;

	Znodes(ZkClient client, ZkLayout layout, Journal journal, int juteMaxBuffer, ScheduledExecutorService scheduler,
			long requestTimeoutMillis) {
		this.client = client;
		this.layout = layout;
		this.journal = journal;
		this.juteMaxBuffer = juteMaxBuffer;
		this.emptied = new DelayedDeletes(client, scheduler, this::prune,
				Math.max(EMPTIED_MIN_MILLIS, 4 * requestTimeoutMillis));
	}

	/** Update a key's znode (conditional on {@code version} unless -1), journaled; the new stat. */
	Stat update(String path, byte[] data, int version, long deadline) throws KeeperException {
		return journaled(path, data, deadline, Op.setData(path, data, version));
	}

	/** Create a key's znode and its missing parents, journaled; the new stat. */
	Stat create(String path, byte[] data, CreateMode mode, long deadline) throws KeeperException {
		for (int attempt = 0;; attempt++) {
			try {
				return journaled(path, data, deadline, Op.create(path, Envelope.DIRECTORY, this.client.acl(), mode),
						Op.setData(path, data, -1));
			}
			catch (KeeperException.NoNodeException ex) {
				if (attempt >= 5) {
					throw ex;
				}
				this.client.createParents(path, CreateMode.PERSISTENT, deadline);
			}
		}
	}

	/**
	 * Run {@code ops} (ending with a setData, whose stat is the answer) in one transaction
	 * that first writes the {@link Journal} entry of the new bytes, or, while nobody watches,
	 * checks that this is still so (and is sent again journaled if not).
	 */
	private Stat journaled(String path, byte[] data, long deadline, Op... ops) throws KeeperException {
		// Too large to travel twice within jute.maxbuffer: an empty entry says "read the key".
		byte[] entry = (2L * data.length + JOURNAL_OVERHEAD <= this.juteMaxBuffer) ? data : Envelope.DIRECTORY;
		for (boolean journal = false;; journal = true) {
			List<Op> all = new ArrayList<>(ops.length + 1);
			all.add(this.journal.first(path, entry, journal));
			all.addAll(List.of(ops));
			List<OpResult> results;
			try {
				results = this.client.multi(all, deadline);
			}
			catch (KeeperException ex) {
				if (journal || !this.journal.guardFailed(ex.getPath())) {
					throw ex;
				}
				continue;
			}
			this.journal.written(results.get(0));
			return ((OpResult.SetDataResult) results.get(results.size() - 1)).getStat();
		}
	}

	/**
	 * Remove a key's value, conditional on {@code stat}'s version: the znode stays as an empty
	 * directory znode (journaled as a delete) and is reclaimed only long after, so a re-create
	 * is a {@code setData} that moves the version on and a CAS that read the old key fails.
	 */
	void removeKey(String path, Stat stat, long deadline) throws KeeperException {
		Stat emptiedStat = journaled(path, Envelope.DELETED, deadline, Op.setData(path, Envelope.DIRECTORY, stat.getVersion()));
		emptied(path, emptiedStat.getVersion());
	}

	/** {@link #removeKey} without waiting; {@code done} gets the result code. */
	void removeKeyAsync(String path, Stat stat, IntConsumer done) {
		removeKeyAsync(path, stat, false, done);
	}

	private void removeKeyAsync(String path, Stat stat, boolean journal, IntConsumer done) {
		ZooKeeper zk;
		try {
			zk = this.client.handle();
		}
		catch (RuntimeException ex) {
			done.accept(KeeperException.Code.CONNECTIONLOSS.intValue());
			return;
		}
		List<Op> ops = List.of(this.journal.first(path, Envelope.DELETED, journal),
				Op.setData(path, Envelope.DIRECTORY, stat.getVersion()));
		zk.multi(ops, (rc, p, ctx, results) -> {
			if (rc == KeeperException.Code.OK.intValue()) {
				this.journal.written(results.get(0));
				emptied(path, ((OpResult.SetDataResult) results.get(1)).getStat().getVersion());
			}
			else {
				int failed = ZkClient.failedOp(results);
				if (!journal && failed >= 0 && this.journal.guardFailed(ops.get(failed).getPath())) {
					removeKeyAsync(path, stat, true, done);
					return;
				}
			}
			done.accept(rc);
		}, null);
	}

	/** A key's znode at {@code path} was emptied (now at {@code version}): reclaim it later if still so. */
	void emptied(String path, int version) {
		this.emptied.add(path, version);
	}

	/** Reclaim an empty znode a lister found whose writer did not (closed or crashed), once it is old enough. */
	void sweep(String path, Stat stat, long nowMillis) {
		if (stat.getNumChildren() == 0 && stat.getVersion() > 0 && nowMillis - stat.getMtime() > this.emptied.delayMillis()) {
			this.emptied.delete(path, stat.getVersion());
		}
	}

	void close() {
		// Reclaiming now would reopen the window the delay closes: later listers sweep them.
		this.emptied.close(false);
	}

	/** Remove directory znodes left empty above a deleted one, asynchronously and only while empty. */
	void prune(String path) {
		int slash = path.lastIndexOf('/');
		String parent = path.substring(0, slash);
		if (parent.length() <= this.layout.kvRoot().length()) {
			return;
		}
		try {
			ZooKeeper zk = this.client.handle();
			zk.getData(parent, false, (rc, p, ctx, data, stat) -> {
				if (rc != KeeperException.Code.OK.intValue() || (data != null && data.length > 0)
						|| stat.getNumChildren() != 0) {
					return;
				}
				if (stat.getVersion() > 0) {
					// It held a key once: reclaim it only after the delay, like an emptied key.
					emptied(parent, stat.getVersion());
				}
				else {
					zk.delete(parent, 0, (rc2, p2, ctx2) -> {
						if (rc2 == KeeperException.Code.OK.intValue()) {
							prune(parent);
						}
					}, null);
				}
			}, null);
		}
		catch (RuntimeException ex) {
			// Not connected: an empty directory znode is invisible and harmless.
		}
	}

}
