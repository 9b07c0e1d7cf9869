package io.valkeyrie.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.valkeyrie.boot.lock.LockRenewal;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of valkeyrie ({@code valkeyrie.*}).
 * <p>
 * The common settings apply to every backend; the group of the selected
 * {@linkplain #getBackend() backend} ({@code valkeyrie.etcd.*}, ...) says where its servers
 * are. Settings a backend has no typed property for go in that group's {@code options}
 * map, under the names the backend documents.
 */
@ConfigurationProperties("valkeyrie")
public class ValkeyrieProperties {

	/**
	 * Backend that stores the keys: local, consul, etcd, zookeeper or redis.
	 */
	private String backend = "local";

	/**
	 * Root path every key of the store lives under, such as 'apps/orders'. Empty for the
	 * root of the backend.
	 */
	private String namespace = "";

	/**
	 * Upper bound of every store call.
	 */
	private Duration requestTimeout = Duration.ofSeconds(5);

	/**
	 * Upper bound of establishing a connection to the backend.
	 */
	private Duration connectTimeout = Duration.ofSeconds(5);

	/**
	 * Largest value the store accepts. Larger values are refused before any I/O.
	 */
	private DataSize maxValueSize = DataSize.ofKilobytes(512);

	/**
	 * Number of threads that deliver watch events, shared by every watch of the store.
	 */
	private int watchThreads = 4;

	/**
	 * Whether startup fails when the backend's servers cannot be reached. When false, the
	 * Store bean is created anyway and connects in the background (calls fail with
	 * StoreUnavailableException until then). Unset: true, or false when the application
	 * imports 'optional:valkeyrie:'. Like spring.cloud.consul.config.fail-fast.
	 */
	private @Nullable Boolean failFast;

	private final ConnectRetry connectRetry = new ConnectRetry();

	private final Local local = new Local();

	private final Consul consul = new Consul();

	private final Etcd etcd = new Etcd();

	private final Zookeeper zookeeper = new Zookeeper();

	private final Redis redis = new Redis();

	private final Lock lock = new Lock();

	private final Leader leader = new Leader();

	private final Watch watch = new Watch();

	public String getBackend() {
		return this.backend;
	}

	public void setBackend(String backend) {
		this.backend = backend;
	}

	public String getNamespace() {
		return this.namespace;
	}

	public void setNamespace(String namespace) {
		this.namespace = namespace;
	}

	public Duration getRequestTimeout() {
		return this.requestTimeout;
	}

	public void setRequestTimeout(Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public DataSize getMaxValueSize() {
		return this.maxValueSize;
	}

	public void setMaxValueSize(DataSize maxValueSize) {
		this.maxValueSize = maxValueSize;
	}

	public int getWatchThreads() {
		return this.watchThreads;
	}

	public void setWatchThreads(int watchThreads) {
		this.watchThreads = watchThreads;
	}

	public @Nullable Boolean getFailFast() {
		return this.failFast;
	}

	public void setFailFast(@Nullable Boolean failFast) {
		this.failFast = failFast;
	}

	public ConnectRetry getConnectRetry() {
		return this.connectRetry;
	}

	public Local getLocal() {
		return this.local;
	}

	public Consul getConsul() {
		return this.consul;
	}

	public Etcd getEtcd() {
		return this.etcd;
	}

	public Zookeeper getZookeeper() {
		return this.zookeeper;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public Lock getLock() {
		return this.lock;
	}

	public Leader getLeader() {
		return this.leader;
	}

	public Watch getWatch() {
		return this.watch;
	}

	/**
	 * The settings group of a backend.
	 * @param backend the backend name
	 * @return its group, or {@code null} for a backend without one (a third-party provider)
	 */
	public @Nullable BackendProperties backend(String backend) {
		return switch (backend) {
			case "local" -> this.local;
			case "consul" -> this.consul;
			case "etcd" -> this.etcd;
			case "zookeeper" -> this.zookeeper;
			case "redis" -> this.redis;
			default -> null;
		};
	}

	/**
	 * Settings every backend group has.
	 */
	public abstract static class BackendProperties {

		/**
		 * Backend-specific settings passed to the store as they are, under the names the
		 * backend documents. An unknown name fails at startup.
		 */
		private Map<String, String> options = new LinkedHashMap<>();

		public Map<String, String> getOptions() {
			return this.options;
		}

		public void setOptions(Map<String, String> options) {
			this.options = options;
		}

		/** The typed settings of this group, under their option names; none by default. */
		Map<String, Object> typedOptions() {
			return new LinkedHashMap<>();
		}

	}

	/**
	 * Settings of a backend reached over the network.
	 */
	public abstract static class RemoteBackendProperties extends BackendProperties {

		/**
		 * Login user name.
		 */
		private @Nullable String username;

		/**
		 * Login password.
		 */
		private @Nullable String password;

		private final Ssl ssl = new Ssl();

		public abstract List<String> getEndpoints();

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public Ssl getSsl() {
			return this.ssl;
		}

	}

	/**
	 * TLS of a backend connection.
	 */
	public static class Ssl {

		/**
		 * Name of the SSL bundle (spring.ssl.bundle.*) whose key and trust material secure
		 * the connection. Setting it enables TLS.
		 */
		private @Nullable String bundle;

		/**
		 * Whether the server's certificate must match its host name.
		 */
		private boolean verifyHostname = true;

		public @Nullable String getBundle() {
			return this.bundle;
		}

		public void setBundle(@Nullable String bundle) {
			this.bundle = bundle;
		}

		public boolean isVerifyHostname() {
			return this.verifyHostname;
		}

		public void setVerifyHostname(boolean verifyHostname) {
			this.verifyHostname = verifyHostname;
		}

	}

	/**
	 * Settings of the local backend: an H2 MVStore file in this JVM.
	 */
	public static class Local extends BackendProperties {

		/**
		 * File the store keeps its keys in. When not set, keys live in memory and are gone
		 * when the application stops.
		 */
		private @Nullable String path;

		/**
		 * Name of an in-memory database shared by every local store of this JVM that uses
		 * the same name. Mutually exclusive with path.
		 */
		private @Nullable String name;

		/**
		 * Number of recent changes kept in memory so that watches can resume from an index.
		 */
		private int historySize = 10_000;

		/**
		 * Whether every write is forced to disk before it returns, trading speed for
		 * durability across a crash of the machine. Only applies with a path.
		 */
		private boolean fsync;

		public @Nullable String getPath() {
			return this.path;
		}

		public void setPath(@Nullable String path) {
			this.path = path;
		}

		public @Nullable String getName() {
			return this.name;
		}

		public void setName(@Nullable String name) {
			this.name = name;
		}

		public int getHistorySize() {
			return this.historySize;
		}

		public void setHistorySize(int historySize) {
			this.historySize = historySize;
		}

		public boolean isFsync() {
			return this.fsync;
		}

		public void setFsync(boolean fsync) {
			this.fsync = fsync;
		}

		@Override
		Map<String, Object> typedOptions() {
			Map<String, Object> options = super.typedOptions();
			putIfSet(options, "path", this.path);
			putIfSet(options, "name", this.name);
			options.put("fsync", this.fsync);
			options.put("history-size", this.historySize);
			return options;
		}

	}

	/**
	 * Settings of the Consul backend.
	 */
	public static class Consul extends RemoteBackendProperties {

		/**
		 * Consul agent HTTP addresses.
		 */
		private List<String> endpoints = new ArrayList<>(List.of("http://127.0.0.1:8500"));

		/**
		 * ACL token sent with every request.
		 */
		private @Nullable String token;

		/**
		 * Datacenter to use instead of the agent's own.
		 */
		private @Nullable String datacenter;

		/**
		 * Read consistency of reads that ask for a consistent read: 'consistent' (linearizable, through the leader) or 'default' (Consul's default mode, may read a stale value just after a leader change). Backend default: consistent.
		 */
		private @Nullable String consistency;

		/**
		 * Lock delay of the sessions behind locks: after a holder is cut off, the lock cannot be taken again for this long. Backend default: 15s.
		 */
		private @Nullable Duration lockDelay;

		/**
		 * Agent's session_ttl_min, when it was changed from Consul's default (10s); the store's minimum TTL.
		 */
		private @Nullable Duration sessionTtlMin;

		@Override
		public List<String> getEndpoints() {
			return this.endpoints;
		}

		public void setEndpoints(List<String> endpoints) {
			this.endpoints = endpoints;
		}

		public @Nullable String getToken() {
			return this.token;
		}

		public void setToken(@Nullable String token) {
			this.token = token;
		}

		public @Nullable String getDatacenter() {
			return this.datacenter;
		}

		public void setDatacenter(@Nullable String datacenter) {
			this.datacenter = datacenter;
		}

		public @Nullable String getConsistency() {
			return this.consistency;
		}

		public void setConsistency(@Nullable String consistency) {
			this.consistency = consistency;
		}

		public @Nullable Duration getLockDelay() {
			return this.lockDelay;
		}

		public void setLockDelay(@Nullable Duration lockDelay) {
			this.lockDelay = lockDelay;
		}

		public @Nullable Duration getSessionTtlMin() {
			return this.sessionTtlMin;
		}

		public void setSessionTtlMin(@Nullable Duration sessionTtlMin) {
			this.sessionTtlMin = sessionTtlMin;
		}

		@Override
		Map<String, Object> typedOptions() {
			Map<String, Object> options = super.typedOptions();
			putIfSet(options, "datacenter", this.datacenter);
			putIfSet(options, "consistency", this.consistency);
			putIfSet(options, "lock-delay", millis(this.lockDelay));
			putIfSet(options, "session-ttl-min", millis(this.sessionTtlMin));
			return options;
		}

	}

	/**
	 * Settings of the etcd backend.
	 */
	public static class Etcd extends RemoteBackendProperties {

		/**
		 * etcd client URLs.
		 */
		private List<String> endpoints = new ArrayList<>(List.of("http://127.0.0.1:2379"));

		/**
		 * Host name the server's TLS certificate names, when it differs from the endpoints' host.
		 */
		private @Nullable String authority;

		/**
		 * Server's --max-request-bytes, when it was raised from etcd's default of 1.5MB; it bounds max-value-size.
		 */
		private @Nullable DataSize maxRequestBytes;

		/**
		 * How often gRPC pings the connection to detect a dead server. Backend default: 10s.
		 */
		private @Nullable Duration keepAliveTime;

		/**
		 * How long a gRPC ping may go unanswered before the connection is dropped. Backend default: 5s.
		 */
		private @Nullable Duration keepAliveTimeout;

		@Override
		public List<String> getEndpoints() {
			return this.endpoints;
		}

		public void setEndpoints(List<String> endpoints) {
			this.endpoints = endpoints;
		}

		public @Nullable String getAuthority() {
			return this.authority;
		}

		public void setAuthority(@Nullable String authority) {
			this.authority = authority;
		}

		public @Nullable DataSize getMaxRequestBytes() {
			return this.maxRequestBytes;
		}

		public void setMaxRequestBytes(@Nullable DataSize maxRequestBytes) {
			this.maxRequestBytes = maxRequestBytes;
		}

		public @Nullable Duration getKeepAliveTime() {
			return this.keepAliveTime;
		}

		public void setKeepAliveTime(@Nullable Duration keepAliveTime) {
			this.keepAliveTime = keepAliveTime;
		}

		public @Nullable Duration getKeepAliveTimeout() {
			return this.keepAliveTimeout;
		}

		public void setKeepAliveTimeout(@Nullable Duration keepAliveTimeout) {
			this.keepAliveTimeout = keepAliveTimeout;
		}

		@Override
		Map<String, Object> typedOptions() {
			Map<String, Object> options = super.typedOptions();
			putIfSet(options, "authority", this.authority);
			putIfSet(options, "max-request-bytes", (this.maxRequestBytes != null) ? this.maxRequestBytes.toBytes() : null);
			putIfSet(options, "grpc-keep-alive-time", millis(this.keepAliveTime));
			putIfSet(options, "grpc-keep-alive-timeout", millis(this.keepAliveTimeout));
			return options;
		}

	}

	/**
	 * Settings of the ZooKeeper backend.
	 */
	public static class Zookeeper extends RemoteBackendProperties {

		/**
		 * ZooKeeper servers as host:port.
		 */
		private List<String> endpoints = new ArrayList<>(List.of("127.0.0.1:2181"));

		/**
		 * Session timeout the client asks the ensemble for; the ensemble may grant a
		 * different one (between 2 and 20 ticks). Locks and keep-alive keys of a store that
		 * lost the ensemble disappear after it.
		 */
		private @Nullable Duration sessionTimeout;

		/**
		 * ZooKeeper path the namespace and the store's bookkeeping live under. Backend default: /valkeyrie.
		 */
		private @Nullable String basePath;

		/**
		 * ACL of the nodes the store creates: 'creator' (only the authenticated user) or 'open'. Backend default: creator with a username, open without.
		 */
		private @Nullable String acl;

		@Override
		public List<String> getEndpoints() {
			return this.endpoints;
		}

		public void setEndpoints(List<String> endpoints) {
			this.endpoints = endpoints;
		}

		public @Nullable Duration getSessionTimeout() {
			return this.sessionTimeout;
		}

		public void setSessionTimeout(@Nullable Duration sessionTimeout) {
			this.sessionTimeout = sessionTimeout;
		}

		public @Nullable String getBasePath() {
			return this.basePath;
		}

		public void setBasePath(@Nullable String basePath) {
			this.basePath = basePath;
		}

		public @Nullable String getAcl() {
			return this.acl;
		}

		public void setAcl(@Nullable String acl) {
			this.acl = acl;
		}

		@Override
		Map<String, Object> typedOptions() {
			Map<String, Object> options = super.typedOptions();
			putIfSet(options, "session-timeout", millis(this.sessionTimeout));
			putIfSet(options, "base-path", this.basePath);
			putIfSet(options, "acl", this.acl);
			return options;
		}

	}

	/**
	 * Settings of the Redis backend.
	 */
	public static class Redis extends RemoteBackendProperties {

		/**
		 * Redis servers as redis://host:port (rediss:// for TLS). An application's own
		 * RedisConnectionFactory bean and Spring Boot's spring.data.redis.* connection
		 * properties, when set, come first; with neither and no endpoints,
		 * redis://127.0.0.1:6379.
		 */
		private List<String> endpoints = new ArrayList<>();

		/**
		 * Database index.
		 */
		private @Nullable Integer database;

		/**
		 * Prefix of every Redis key the store writes, so that several applications can share one database. Backend default: valkeyrie.
		 */
		private @Nullable String keyPrefix;

		/**
		 * Name of the Sentinel master; the endpoints are then Sentinel nodes.
		 */
		private @Nullable String sentinelMaster;

		/**
		 * Whether the endpoints are nodes of a Redis Cluster. Several endpoints without a Sentinel master always are; set it to use one seed node.
		 */
		private @Nullable Boolean cluster;

		/**
		 * Client name of the store's connections (CLIENT SETNAME). Backend default: valkeyrie.
		 */
		private @Nullable String clientName;

		@Override
		public List<String> getEndpoints() {
			return this.endpoints;
		}

		public void setEndpoints(List<String> endpoints) {
			this.endpoints = endpoints;
		}

		public @Nullable Integer getDatabase() {
			return this.database;
		}

		public void setDatabase(@Nullable Integer database) {
			this.database = database;
		}

		public @Nullable String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(@Nullable String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public @Nullable String getSentinelMaster() {
			return this.sentinelMaster;
		}

		public void setSentinelMaster(@Nullable String sentinelMaster) {
			this.sentinelMaster = sentinelMaster;
		}

		public @Nullable Boolean getCluster() {
			return this.cluster;
		}

		public void setCluster(@Nullable Boolean cluster) {
			this.cluster = cluster;
		}

		public @Nullable String getClientName() {
			return this.clientName;
		}

		public void setClientName(@Nullable String clientName) {
			this.clientName = clientName;
		}

		@Override
		Map<String, Object> typedOptions() {
			Map<String, Object> options = super.typedOptions();
			putIfSet(options, "database", this.database);
			putIfSet(options, "key-prefix", this.keyPrefix);
			putIfSet(options, "sentinel-master", this.sentinelMaster);
			putIfSet(options, "cluster", this.cluster);
			putIfSet(options, "client-name", this.clientName);
			return options;
		}

	}

	/**
	 * Settings of the Spring Integration lock registry.
	 */
	public static class Lock {

		/**
		 * Directory (below the namespace) the registry's locks live under: lock key 'orders'
		 * becomes the store lock 'locks/orders'.
		 */
		private String prefix = "locks";

		/**
		 * How long a holder that stopped renewing (crashed or cut off from the backend) keeps
		 * others out, for locks acquired without an explicit TTL (with manual renewal: how
		 * long after acquisition a lock expires unless renewed). Default: 15s, or the store's
		 * minimum lock TTL where that is larger (at least 1s; a stock Consul agent's is 20s).
		 */
		private @Nullable Duration ttl;

		public String getPrefix() {
			return this.prefix;
		}

		public void setPrefix(String prefix) {
			this.prefix = prefix;
		}

		public @Nullable Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(@Nullable Duration ttl) {
			this.ttl = ttl;
		}

		// ---- Expiry model (issue #16) ----

		/**
		 * How a held lock is kept: 'automatic' (the store renews it until unlock) or
		 * 'manual' (Spring Integration's model: it expires its TTL after acquisition unless
		 * renewLock is called).
		 */
		private LockRenewal renewal = LockRenewal.AUTOMATIC;

		public LockRenewal getRenewal() {
			return this.renewal;
		}

		public void setRenewal(LockRenewal renewal) {
			this.renewal = renewal;
		}

	}

	/**
	 * Settings of leader election.
	 */
	public static class Leader {

		/**
		 * Whether this application takes part in leader election and publishes
		 * OnGrantedEvent and OnRevokedEvent.
		 */
		private boolean enabled;

		/**
		 * Role to elect a leader for; it is also the key of the lock behind the election.
		 */
		private String role = "leader";

		/**
		 * How often the leader checks that it still holds its lock, and how long others
		 * wait for it in one attempt.
		 */
		private Duration heartbeat = Duration.ofMillis(500);

		/**
		 * Pause between two attempts of a candidate that is not the leader.
		 */
		private Duration busyWait = Duration.ofMillis(50);

		// ---- Which lock registry elects (issue #16) ----

		/**
		 * Name of the LockRegistry bean the election runs on. Default: valkeyrie's own
		 * registry, also when the application defines another LockRegistry (an in-process
		 * registry would let every instance lead at once).
		 */
		private @Nullable String lockRegistry;

		public @Nullable String getLockRegistry() {
			return this.lockRegistry;
		}

		public void setLockRegistry(@Nullable String lockRegistry) {
			this.lockRegistry = lockRegistry;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getRole() {
			return this.role;
		}

		public void setRole(String role) {
			this.role = role;
		}

		public Duration getHeartbeat() {
			return this.heartbeat;
		}

		public void setHeartbeat(Duration heartbeat) {
			this.heartbeat = heartbeat;
		}

		public Duration getBusyWait() {
			return this.busyWait;
		}

		public void setBusyWait(Duration busyWait) {
			this.busyWait = busyWait;
		}

	}

	/**
	 * Watches published as application events.
	 */
	public static class Watch {

		/**
		 * Keys whose changes are published as ValkeyrieKeyChangedEvent.
		 */
		private List<String> keys = new ArrayList<>();

		/**
		 * Directories whose changes at any depth are published as ValkeyrieKeyChangedEvent.
		 */
		private List<String> trees = new ArrayList<>();

		public List<String> getKeys() {
			return this.keys;
		}

		public void setKeys(List<String> keys) {
			this.keys = keys;
		}

		public List<String> getTrees() {
			return this.trees;
		}

		public void setTrees(List<String> trees) {
			this.trees = trees;
		}

	}

	/**
	 * How a store that starts without its servers ({@code fail-fast=false}) retries.
	 */
	public static class ConnectRetry {

		/**
		 * Wait before the first background connection attempt; doubled after each failed one.
		 */
		private Duration initialInterval = Duration.ofMillis(500);

		/**
		 * Longest wait between two background connection attempts.
		 */
		private Duration maxInterval = Duration.ofSeconds(10);

		public Duration getInitialInterval() {
			return this.initialInterval;
		}

		public void setInitialInterval(Duration initialInterval) {
			this.initialInterval = initialInterval;
		}

		public Duration getMaxInterval() {
			return this.maxInterval;
		}

		public void setMaxInterval(Duration maxInterval) {
			this.maxInterval = maxInterval;
		}

	}

	private static @Nullable String millis(@Nullable Duration duration) {
		return (duration != null) ? duration.toMillis() + "ms" : null;
	}

	private static void putIfSet(Map<String, Object> options, String name, @Nullable Object value) {
		if (value != null) {
			options.put(name, value);
		}
	}

}
