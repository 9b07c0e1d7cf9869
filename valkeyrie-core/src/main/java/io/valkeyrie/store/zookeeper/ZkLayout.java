package io.valkeyrie.store.zookeeper;

import io.valkeyrie.store.internal.Keys;

import org.jspecify.annotations.Nullable;

/**
 * Where things live in the znode tree. Every key of a namespace is a znode below
 * {@code <base>/kv/<namespace>}; lock bookkeeping lives below {@code <base>/locks} and the
 * keep-alive owners and their indexes below {@code <base>/owners} and {@code <base>/kept}, and
 * the registry of watching stores at {@code <base>/watchers}, outside every data tree, so no
 * list or watch can see them. Key segments are percent-escaped where ZooKeeper forbids a
 * character (non-BMP, surrogate and private-use ranges, specials).
 */
final class ZkLayout {

	/** Prefix of a lock contender's znode; no escaped key segment can start with it. */
	static final String CONTENDER_PREFIX = "%lock-";

	private final String dataRoot;

	private final String lockRoot;

	private final String namespace;

	private final String ownersRoot;

	private final String keptRoot;

	private final String kvRoot;

	private final String watchersRoot;

	ZkLayout(String basePath, String namespace) {
		this.namespace = namespace;
		this.kvRoot = basePath + "/kv";
		this.dataRoot = this.kvRoot + (namespace.isEmpty() ? "" : "/" + escape(namespace));
		this.lockRoot = basePath + "/locks";
		this.ownersRoot = basePath + "/owners";
		this.keptRoot = basePath + "/kept";
		this.watchersRoot = basePath + "/watchers";
	}

	/**
	 * The registry of watching stores: one ephemeral child per watching store session; its
	 * data version moves on with every registration.
	 */
	String watchersRoot() {
		return this.watchersRoot;
	}

	/** The parent of every store session's ephemeral owner znode. */
	String ownersRoot() {
		return this.ownersRoot;
	}

	/** The ephemeral znode that keeps the keep-alive keys of {@code owner} alive. */
	String ownerPath(long owner) {
		return this.ownersRoot + "/" + Long.toHexString(owner);
	}

	/** The parent of every owner's index of keep-alive keys. */
	String keptRoot() {
		return this.keptRoot;
	}

	/** The index of the keep-alive keys of {@code owner}: one child per key znode. */
	String keptDir(long owner) {
		return this.keptRoot + "/" + Long.toHexString(owner);
	}

	/** The index entry of the key znode at {@code path}: the path in one segment. */
	String keptEntry(long owner, String path) {
		return keptDir(owner) + "/" + path.replace("%", "%25").replace("/", "%2F");
	}

	/** The key znode an index entry (a child name of {@link #keptDir}) stands for. */
	static String pathOfKeptEntry(String name) {
		return name.replace("%2F", "/").replace("%25", "%");
	}

	/** The owner id of an owner znode or index name, 0 if it is none. */
	static long ownerOf(String name) {
		try {
			return Long.parseUnsignedLong(name, 16);
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	/** The znode every namespace's data root lies below (never pruned). */
	String kvRoot() {
		return this.kvRoot;
	}

	/** The znode of the namespace root. */
	String dataRoot() {
		return this.dataRoot;
	}

	/** The znode of a key or directory ({@code ""} is the namespace root). */
	String path(String key) {
		return key.isEmpty() ? this.dataRoot : this.dataRoot + "/" + escape(key);
	}

	/** The key of a znode at or below {@link #dataRoot()}, {@code null} for the root itself or foreign paths. */
	@Nullable String keyOf(String path) {
		if (path.length() <= this.dataRoot.length() + 1 || !path.startsWith(this.dataRoot)
				|| path.charAt(this.dataRoot.length()) != '/') {
			return null;
		}
		return Keys.unescapePath(path.substring(this.dataRoot.length() + 1));
	}

	/**
	 * The znode under which the contenders of a lock on {@code key} queue: the same for every
	 * store that reaches the key, whatever its namespace.
	 */
	String lockPath(String key) {
		return this.lockRoot + "/" + escape(Keys.join(this.namespace, key));
	}

	private static String escape(String key) {
		return Keys.escapePath(key, ZkLayout::allowed);
	}

	/** What ZooKeeper's {@code PathUtils.validatePath} accepts in a path segment. */
	static boolean allowed(int cp) {
		return cp > 0x1F && !(cp >= 0x7F && cp <= 0x9F) && !(cp >= 0xD800 && cp <= 0xF8FF) && !(cp >= 0xFFF0)
				&& cp != '/';
	}

}
