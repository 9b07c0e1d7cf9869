package io.valkeyrie.store.zookeeper;

import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;

import org.jspecify.annotations.Nullable;

/**
 * The value of every write, kept for a short while so watchers see each one. ZooKeeper's
 * watch events carry no data: a watcher that reads the key after an event gets the newest
 * value, and writes in between would be lost. So while any store watches (see
 * {@link WatcherRegistry}), each write creates, in the same transaction and before touching
 * the key, a journal entry next to the key's znode:
 * <pre>
 * &lt;parent&gt;/%j-&lt;escaped last segment&gt;-&lt;epoch millis&gt;-&lt;sequence&gt;   (data: the key's new bytes)
 * </pre>
 * Its {@code czxid} is the key's new {@code mzxid} (same transaction). The change feed reads
 * the entry instead of the key. The writer deletes its entries after {@link #RETENTION_MILLIS},
 * batched ({@link DelayedDeletes});
 * entries a crashed writer left are deleted by whoever lists the directory later (their name
 * says their age). No escaped key segment starts with {@code %j}, and lists, watches and
 * reads skip entries. While nobody watches, the transaction starts with the registry's
 * check instead, which makes the server refuse the write if a watcher registered meanwhile;
 * the writer then sends it again with an entry.
 */
final class Journal {

	static final String PREFIX = "%j-";

	/** How long an entry outlives its write: far longer than a connected watcher takes to read it. */
	static final long RETENTION_MILLIS = 10_000;

	private static final long STALE_MILLIS = 60_000;

	private final ZkClient client;

	private final DelayedDeletes deletes;

	private final WatcherRegistry watchers;

	/**
	 * @param client the client
	 * @param watchers who watches
	 * @param scheduler runs the cleanup
	 * @param deleted called with the path of a deleted entry, once per directory of a cleanup batch (to prune empty parents)
	 */
	Journal(ZkClient client, WatcherRegistry watchers, ScheduledExecutorService scheduler, Consumer<String> deleted) {
		this.client = client;
		this.watchers = watchers;
		this.deletes = new DelayedDeletes(client, scheduler, deleted, RETENTION_MILLIS);
	}

	/**
	 * The first operation of a transaction that sets the znode at {@code path} to
	 * {@code data}: its journal entry while anyone may watch (or with {@code journal}), else
	 * the check that nobody started watching.
	 */
	Op first(String path, byte[] data, boolean journal) {
		Op guard = journal ? null : this.watchers.guard();
		return (guard != null) ? guard : entry(path, data);
	}

	/**
	 * Whether a transaction failed on the check of {@link #first} (a store started watching):
	 * send it again with {@code journal}.
	 * @param failedPath the path of the operation that failed
	 */
	boolean guardFailed(@Nullable String failedPath) {
		return this.watchers.guardFailed(failedPath);
	}

	/** A transaction that started with {@link #first} succeeded: track its entry, if it has one. */
	void written(OpResult first) {
		if (first instanceof OpResult.CreateResult created) {
			written(created.getPath());
		}
	}

	/** The operation that journals {@code data} as the new bytes of the znode at {@code path}. */
	private Op entry(String path, byte[] data) {
		int slash = path.lastIndexOf('/');
		String prefix = path.substring(0, slash + 1) + PREFIX + path.substring(slash + 1) + "-"
				+ System.currentTimeMillis() + "-";
		return Op.create(prefix, data, this.client.acl(), CreateMode.PERSISTENT_SEQUENTIAL);
	}

	/** The entry at {@code path} was written: delete it after the retention. */
	private void written(String path) {
		this.deletes.add(path, -1);
	}

	/** Delete an entry without waiting. */
	void delete(String path) {
		this.deletes.delete(path, -1);
	}

	/** Delete the entries not yet due (the store closes); the requests go out before the session closes. */
	void close() {
		this.deletes.close(true);
	}

	/** Whether a child name is a journal entry. */
	static boolean isEntry(String name) {
		return name.startsWith(PREFIX);
	}

	/** Whether an entry is old enough that no watcher needs it and its writer failed to delete it. */
	static boolean isStale(String name, long nowMillis) {
		int end = name.length() - 11;
		int start = name.lastIndexOf('-', end - 1);
		try {
			return start > 0 && nowMillis - Long.parseLong(name.substring(start + 1, end)) > STALE_MILLIS;
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	/** The znode path of the key an entry journals, {@code null} if {@code path} is no entry. */
	static @Nullable String keyPathOf(String path) {
		int slash = path.lastIndexOf('/');
		if (!path.startsWith(PREFIX, slash + 1) || path.length() - slash < PREFIX.length() + 13) {
			return null;
		}
		int end = path.length() - 11;
		int millis = path.lastIndexOf('-', end - 1);
		if (millis <= slash + PREFIX.length()) {
			return null;
		}
		return path.substring(0, slash + 1) + path.substring(slash + 1 + PREFIX.length(), millis);
	}

}
