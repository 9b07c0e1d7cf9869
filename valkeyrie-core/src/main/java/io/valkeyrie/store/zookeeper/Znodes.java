package io.valkeyrie.store.zookeeper;

import java.util.ArrayList;
import java.util.List;

import io.valkeyrie.store.StoreException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import org.jspecify.annotations.Nullable;

/**
 * The writes of key znodes: every change of a key's bytes is one transaction that first
 * writes its {@link Journal} entry; removing a key's value keeps a znode that has keys
 * below it; directory znodes left empty are pruned.
 */
final class Znodes {

	/** Room for the paths and headers of a journaled write's transaction. */
	private static final int JOURNAL_OVERHEAD = 16 * 1024;

	private final ZkClient client;

	private final ZkLayout layout;

	private final Journal journal;

	private final int juteMaxBuffer;

	Znodes(ZkClient client, ZkLayout layout, Journal journal, int juteMaxBuffer) {
		this.client = client;
		this.layout = layout;
		this.journal = journal;
		this.juteMaxBuffer = juteMaxBuffer;
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
	 * Swap a znode for one of another mode (persistent/ephemeral) in one transaction;
	 * {@code null} if it changed meanwhile.
	 */
	@Nullable Stat replace(String path, byte[] data, int version, CreateMode mode, long deadline)
			throws KeeperException {
		try {
			return journaled(path, data, deadline, Op.delete(path, version),
					Op.create(path, Envelope.DIRECTORY, this.client.acl(), mode), Op.setData(path, data, -1));
		}
		catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
			return null;
		}
		catch (KeeperException.NotEmptyException ex) {
			throw new StoreException("'" + this.layout.keyOf(path) + "' has keys below it, so it cannot become a "
					+ "keep-alive key: ZooKeeper keeps those as ephemeral znodes, which cannot have children", ex);
		}
	}

	/**
	 * Run {@code ops} (ending with a setData, whose stat is the answer) in one transaction
	 * that first writes the {@link Journal} entry of the new bytes.
	 */
	private Stat journaled(String path, byte[] data, long deadline, Op... ops) throws KeeperException {
		List<Op> all = new ArrayList<>(ops.length + 1);
		// Too large to travel twice within jute.maxbuffer: an empty entry says "read the key".
		boolean fits = 2L * data.length + JOURNAL_OVERHEAD <= this.juteMaxBuffer;
		all.add(this.journal.entry(path, fits ? data : Envelope.DIRECTORY));
		all.addAll(List.of(ops));
		List<OpResult> results = this.client.multi(all, deadline);
		this.journal.written(((OpResult.CreateResult) results.get(0)).getPath());
		return ((OpResult.SetDataResult) results.get(results.size() - 1)).getStat();
	}

	/** Delete a key's znode, or only its value when keys below it remain. */
	void removeKey(String path, Stat stat, long deadline) throws KeeperException {
		if (stat.getNumChildren() == 0) {
			try {
				this.client.delete(path, stat.getVersion(), deadline);
				prune(path);
				return;
			}
			catch (KeeperException.NotEmptyException ex) {
				// A key appeared below it meanwhile: keep the znode, drop the value.
			}
		}
		this.client.setData(path, Envelope.DIRECTORY, stat.getVersion(), deadline);
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
				if (rc == KeeperException.Code.OK.intValue() && (data == null || data.length == 0)
						&& stat.getNumChildren() == 0) {
					zk.delete(parent, stat.getVersion(), (rc2, p2, ctx2) -> {
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
