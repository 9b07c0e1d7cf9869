package io.valkeyrie.store.zookeeper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

import io.valkeyrie.store.KVPair;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import org.jspecify.annotations.Nullable;

/**
 * What is at and below a directory, read breadth-first with every request of a level in
 * flight at once: its live pairs, sorted by key, and every znode (journal entries included),
 * parents before children. The cost grows with the subtree, not with the store.
 */
final class Subtree {

	final TreeMap<String, KVPair> pairs = new TreeMap<>();

	final List<String> paths = new ArrayList<>();

	/** The stat of every znode in {@link #paths} but journal entries. */
	final Map<String, Stat> stats = new HashMap<>();

	/** The znodes of {@link #stats} that hold bytes (keys, also expired ones). */
	final Set<String> holding = new HashSet<>();

	boolean dirIsKey;

	private Subtree() {
	}

	/**
	 * Read a subtree.
	 * @param pairOf the pair a key's znode holds, {@code null} if none
	 * @return the subtree, {@code null} if the directory's znode does not exist
	 */
	static @Nullable Subtree read(ZkClient client, ZkLayout layout, Journal journal,
			BiFunction<String, ZkClient.Node, @Nullable KVPair> pairOf, String dir, boolean consistent, long deadline)
			throws KeeperException {
		String root = layout.path(dir);
		ZooKeeper zk = client.zk(deadline);
		if (consistent) {
			client.sync(zk, root);
		}
		ZkClient.Node rootNode = client.await(client.getDataAsync(zk, root), deadline);
		if (rootNode == null) {
			return null;
		}
		Subtree tree = new Subtree();
		tree.add(root, rootNode);
		tree.dirIsKey = !dir.isEmpty() && pairOf.apply(dir, rootNode) != null;
		List<String> level = (rootNode.stat().getNumChildren() > 0) ? List.of(root) : List.of();
		while (!level.isEmpty()) {
			List<CompletableFuture<@Nullable List<String>>> children = new ArrayList<>(level.size());
			for (String path : level) {
				children.add(client.getChildrenAsync(zk, path));
			}
			List<String> childPaths = new ArrayList<>();
			long now = System.currentTimeMillis();
			for (int i = 0; i < level.size(); i++) {
				List<String> names = client.await(children.get(i), deadline);
				if (names != null) {
					for (String name : names) {
						String path = level.get(i) + "/" + name;
						if (!Journal.isEntry(name)) {
							childPaths.add(path);
						}
						else if (Journal.isStale(name, now)) {
							journal.delete(path);
						}
						else {
							tree.paths.add(path);
						}
					}
				}
			}
			List<CompletableFuture<ZkClient.@Nullable Node>> nodes = new ArrayList<>(childPaths.size());
			for (String path : childPaths) {
				nodes.add(client.getDataAsync(zk, path));
			}
			List<String> next = new ArrayList<>();
			for (int i = 0; i < childPaths.size(); i++) {
				ZkClient.Node node = client.await(nodes.get(i), deadline);
				if (node == null) {
					continue;
				}
				String path = childPaths.get(i);
				tree.add(path, node);
				String key = layout.keyOf(path);
				KVPair pair = (key != null) ? pairOf.apply(key, node) : null;
				if (pair != null) {
					tree.pairs.put(key, pair);
				}
				if (node.stat().getNumChildren() > 0) {
					next.add(path);
				}
			}
			level = next;
		}
		return tree;
	}

	private void add(String path, ZkClient.Node node) {
		this.paths.add(path);
		this.stats.put(path, node.stat());
		if (node.data().length > 0) {
			this.holding.add(path);
		}
	}

}
