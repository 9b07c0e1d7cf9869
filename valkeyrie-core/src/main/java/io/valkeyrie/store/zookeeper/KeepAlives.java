package io.valkeyrie.store.zookeeper;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.internal.Keys;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keep-alive keys this store wrote. They are ephemeral znodes of the store's session,
 * so they vanish when the session ends; after a session expiry while the store is open,
 * they are created again in the new session (unless someone else wrote the key meanwhile).
 */
final class KeepAlives {

	private static final Logger logger = LoggerFactory.getLogger(KeepAlives.class);

	private final ZkClient client;

	private final ZkLayout layout;

	private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

	KeepAlives(ZkClient client, ZkLayout layout) {
		this.client = client;
		this.layout = layout;
	}

	void remember(String key, byte[] data) {
		this.keys.put(key, data);
	}

	void forget(String key) {
		this.keys.remove(key);
	}

	void forgetAtOrBelow(String dir) {
		this.keys.keySet().removeIf((key) -> Keys.isAtOrBelow(key, dir));
	}

	/** Create every keep-alive key again in the current session. */
	void recreate() {
		for (Map.Entry<String, byte[]> entry : this.keys.entrySet()) {
			String path = this.layout.path(entry.getKey());
			try {
				this.client.createWithParents(path, entry.getValue(), CreateMode.EPHEMERAL, CreateMode.PERSISTENT,
						this.client.deadline());
			}
			catch (KeeperException.NodeExistsException ex) {
				// Written by someone else since the session ended: theirs now.
				this.keys.remove(entry.getKey(), entry.getValue());
			}
			catch (KeeperException | StoreException ex) {
				logger.warn("Re-creating keep-alive key '{}' after a session expiry failed", entry.getKey(), ex);
			}
		}
	}

	/** Delete the keys still ephemeral in this session (the store closes, its client stays open). */
	void deleteAll() {
		try {
			ZooKeeper zk = this.client.handle();
			long session = zk.getSessionId();
			for (String key : this.keys.keySet()) {
				String path = this.layout.path(key);
				zk.getData(path, false, (rc, p, ctx, data, stat) -> {
					if (stat != null && stat.getEphemeralOwner() == session) {
						zk.delete(path, stat.getVersion(), (rc2, p2, ctx2) -> {
							// Best effort: a key rewritten meanwhile is no longer ours to delete.
						}, null);
					}
				}, null);
			}
		}
		catch (StoreException ex) {
			// Not connected: the keys go when the client's session ends.
		}
		this.keys.clear();
	}

}
