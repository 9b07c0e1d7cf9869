package io.valkeyrie.store.zookeeper;

import java.nio.charset.StandardCharsets;

import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.EpochGuard;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

import org.jspecify.annotations.Nullable;

/**
 * The namespace's epoch marker in ZooKeeper: the znode {@code <base>/epochs/<namespace>/%epoch}
 * ({@code %epoch} is no escaped key segment, so no namespace's marker is another's parent),
 * outside every data tree. Gone when ZooKeeper restarts on an empty data directory.
 */
final class ZkEpochMarker implements EpochGuard.Marker {

	private final ZkClient client;

	private final String path;

	/**
	 * @param basePath the store's base path
	 * @param dataRoot the namespace's data root, below {@code <basePath>/kv}
	 */
	ZkEpochMarker(ZkClient client, String basePath, String dataRoot) {
		this.client = client;
		this.path = basePath + "/epochs" + dataRoot.substring((basePath + "/kv").length()) + "/%epoch";
	}

	@Override
	public @Nullable String read() {
		try {
			ZkClient.Node node = this.client.getData(this.path, true, this.client.deadline());
			return (node != null) ? new String(node.data(), StandardCharsets.UTF_8) : null;
		}
		catch (KeeperException ex) {
			throw failed(ex);
		}
	}

	@Override
	public boolean create(String text) {
		try {
			this.client.createWithParents(this.path, bytes(text), CreateMode.PERSISTENT, CreateMode.PERSISTENT,
					this.client.deadline());
			return true;
		}
		catch (KeeperException.NodeExistsException ex) {
			return false;
		}
		catch (KeeperException ex) {
			throw failed(ex);
		}
	}

	@Override
	public boolean replace(String expected, String text) {
		try {
			ZkClient.Node node = this.client.getData(this.path, true, this.client.deadline());
			if (node == null || !expected.equals(new String(node.data(), StandardCharsets.UTF_8))) {
				return false;
			}
			this.client.setData(this.path, bytes(text), node.stat().getVersion(), this.client.deadline());
			return true;
		}
		catch (KeeperException.BadVersionException | KeeperException.NoNodeException ex) {
			return false;
		}
		catch (KeeperException ex) {
			throw failed(ex);
		}
	}

	private StoreException failed(KeeperException ex) {
		String message = "ZooKeeper failed on the epoch marker " + this.path + ": " + ex.getMessage();
		return switch (ex.code()) {
			case CONNECTIONLOSS, SESSIONEXPIRED, OPERATIONTIMEOUT, SESSIONMOVED ->
				new StoreUnavailableException(ZkClient.BACKEND, message, ex);
			default -> new StoreException(message, ex);
		};
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
