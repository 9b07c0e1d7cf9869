package io.valkeyrie.store.zookeeper;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.TlsConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.common.ZKConfig;

/**
 * The ZooKeeper settings of a {@link StoreConfig}: its shared settings plus the options
 * documented in {@code docs/backends/zookeeper.md}. Unknown option names are refused.
 */
final class ZkSettings {

	static final String BASE_PATH = "base-path";

	static final String SESSION_TIMEOUT = "session-timeout";

	static final String RETRY_BASE_SLEEP = "retry-base-sleep";

	static final String RETRY_MAX_SLEEP = "retry-max-sleep";

	static final String RETRY_MAX_RETRIES = "retry-max-retries";

	static final String LOCK_LOST_ON_SUSPEND = "lock-lost-on-suspend";

	static final String JUTE_MAX_BUFFER = "jute-max-buffer";

	static final String ACL = "acl";

	static final String TLS_KEY_STORE = "tls-key-store";

	static final String TLS_KEY_STORE_PASSWORD = "tls-key-store-password";

	static final String TLS_KEY_STORE_TYPE = "tls-key-store-type";

	static final String TLS_TRUST_STORE = "tls-trust-store";

	static final String TLS_TRUST_STORE_PASSWORD = "tls-trust-store-password";

	static final String TLS_TRUST_STORE_TYPE = "tls-trust-store-type";

	private static final Set<String> KNOWN = new TreeSet<>(Set.of(BASE_PATH, SESSION_TIMEOUT, RETRY_BASE_SLEEP,
			RETRY_MAX_SLEEP, RETRY_MAX_RETRIES, LOCK_LOST_ON_SUSPEND, JUTE_MAX_BUFFER, ACL, TLS_KEY_STORE,
			TLS_KEY_STORE_PASSWORD, TLS_KEY_STORE_TYPE, TLS_TRUST_STORE, TLS_TRUST_STORE_PASSWORD, TLS_TRUST_STORE_TYPE));

	/** ZooKeeper's default {@code jute.maxbuffer}: 1 MiB - 1. */
	private static final int DEFAULT_JUTE_MAX_BUFFER = 0xfffff;

	/**
	 * Room for a request's header and path inside {@code jute.maxbuffer}: a 1024-byte key and
	 * namespace percent-escaped can take three times that.
	 */
	private static final int REQUEST_OVERHEAD = 8192;

	final StoreConfig config;

	final String basePath;

	final Duration sessionTimeout;

	final boolean lockLostOnSuspend;

	final int juteMaxBuffer;

	final boolean restrictAcl;

	/**
	 * Read and check the settings.
	 * @param config the configuration
	 * @param ownClient whether the store builds its own client (which needs endpoints)
	 */
	ZkSettings(StoreConfig config, boolean ownClient) {
		this.config = config;
		Map<String, String> options = new LinkedHashMap<>(config.options());
		Set<String> unknown = new TreeSet<>(options.keySet());
		unknown.removeAll(KNOWN);
		if (!unknown.isEmpty()) {
			throw new StoreConfigurationException("Unknown zookeeper option(s) " + unknown + "; known options: " + KNOWN);
		}
		this.basePath = basePath(options.getOrDefault(BASE_PATH, "/valkeyrie"));
		this.sessionTimeout = duration(SESSION_TIMEOUT, options.getOrDefault(SESSION_TIMEOUT, "10s"));
		this.lockLostOnSuspend = bool(LOCK_LOST_ON_SUSPEND, options.getOrDefault(LOCK_LOST_ON_SUSPEND, "true"));
		this.juteMaxBuffer = integer(JUTE_MAX_BUFFER, options.getOrDefault(JUTE_MAX_BUFFER, "" + DEFAULT_JUTE_MAX_BUFFER));
		int limit = this.juteMaxBuffer - REQUEST_OVERHEAD - Envelope.maxOverhead();
		if (config.maxValueSize() > limit) {
			throw new StoreConfigurationException("maxValueSize " + config.maxValueSize()
					+ " is too large for ZooKeeper: with jute.maxbuffer " + this.juteMaxBuffer + " (option '"
					+ JUTE_MAX_BUFFER + "', must match the servers' setting) the largest value is " + limit + " bytes");
		}
		String acl = options.getOrDefault(ACL, (config.username() != null) ? "creator" : "open").trim();
		if (!acl.equals("creator") && !acl.equals("open")) {
			throw new StoreConfigurationException("Option '" + ACL + "' must be 'creator' or 'open', was '" + acl + "'");
		}
		this.restrictAcl = acl.equals("creator");
		if (ownClient && config.endpoints().isEmpty()) {
			throw new StoreConfigurationException("The zookeeper store needs at least one endpoint (host:port)");
		}
	}

	/** A new, not started Curator client for these settings. */
	CuratorFramework newClient() {
		Map<String, String> options = this.config.options();
		ZKClientConfig zkConfig = new ZKClientConfig();
		zkConfig.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(this.juteMaxBuffer));
		// The store bounds every call itself; the client's own request timeout stays off.
		TlsConfig tls = this.config.tls();
		if (tls != null) {
			if (tls.keyManagers() != null || tls.trustManagers() != null) {
				throw new StoreConfigurationException("The ZooKeeper client reads its TLS material from key and trust "
						+ "store files: set the options '" + TLS_KEY_STORE + "' and '" + TLS_TRUST_STORE
						+ "' instead of key/trust managers");
			}
			ClientX509Util x509 = new ClientX509Util();
			zkConfig.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
			zkConfig.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, ClientCnxnSocketNetty.class.getName());
			zkConfig.setProperty(x509.getSslHostnameVerificationEnabledProperty(), Boolean.toString(tls.verifyHostname()));
			copy(options, TLS_KEY_STORE, zkConfig, x509.getSslKeystoreLocationProperty());
			copy(options, TLS_KEY_STORE_PASSWORD, zkConfig, x509.getSslKeystorePasswdProperty());
			copy(options, TLS_KEY_STORE_TYPE, zkConfig, x509.getSslKeystoreTypeProperty());
			copy(options, TLS_TRUST_STORE, zkConfig, x509.getSslTruststoreLocationProperty());
			copy(options, TLS_TRUST_STORE_PASSWORD, zkConfig, x509.getSslTruststorePasswdProperty());
			copy(options, TLS_TRUST_STORE_TYPE, zkConfig, x509.getSslTruststoreTypeProperty());
		}
		int baseSleep = millis(duration(RETRY_BASE_SLEEP, options.getOrDefault(RETRY_BASE_SLEEP, "100ms")));
		int maxSleep = millis(duration(RETRY_MAX_SLEEP, options.getOrDefault(RETRY_MAX_SLEEP, "2s")));
		int maxRetries = integer(RETRY_MAX_RETRIES, options.getOrDefault(RETRY_MAX_RETRIES, "10"));
		CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
			.connectString(String.join(",", this.config.endpoints()))
			.sessionTimeoutMs(millis(this.sessionTimeout))
			.connectionTimeoutMs(millis(this.config.connectTimeout()))
			.retryPolicy(new ExponentialBackoffRetry(baseSleep, maxRetries, maxSleep))
			.zkClientConfig(zkConfig);
		String username = this.config.username();
		if (username != null) {
			String password = (this.config.password() != null) ? this.config.password() : "";
			builder.authorization("digest", (username + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
		}
		return builder.build();
	}

	private static void copy(Map<String, String> options, String name, ZKClientConfig zkConfig, String property) {
		String value = options.get(name);
		if (value != null) {
			zkConfig.setProperty(property, value);
		}
	}

	private static String basePath(String value) {
		String path = value.trim();
		if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/") || path.contains("//")
				|| path.equals("/zookeeper") || path.startsWith("/zookeeper/")) {
			throw new StoreConfigurationException("Option '" + BASE_PATH + "' must be an absolute znode path like "
					+ "'/valkeyrie' (not the root, not below /zookeeper), was '" + value + "'");
		}
		return path;
	}

	static Duration duration(String name, String value) {
		String v = value.trim().toLowerCase(Locale.ROOT);
		try {
			Duration duration;
			if (v.startsWith("p")) {
				duration = Duration.parse(v.toUpperCase(Locale.ROOT));
			}
			else if (v.endsWith("ms")) {
				duration = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
			}
			else if (v.endsWith("s")) {
				duration = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 1000));
			}
			else if (v.endsWith("m")) {
				duration = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1).trim()) * 60);
			}
			else {
				duration = Duration.ofMillis(Long.parseLong(v));
			}
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException("not positive");
			}
			return duration;
		}
		catch (RuntimeException ex) {
			throw new StoreConfigurationException("Option '" + name + "' must be a positive duration such as '500ms', "
					+ "'10s', '2m' or 'PT10S', was '" + value + "'", ex);
		}
	}

	private static boolean bool(String name, String value) {
		return switch (value.trim().toLowerCase(Locale.ROOT)) {
			case "true" -> true;
			case "false" -> false;
			default -> throw new StoreConfigurationException("Option '" + name + "' must be true or false, was '" + value + "'");
		};
	}

	private static int integer(String name, String value) {
		try {
			int parsed = Integer.parseInt(value.trim());
			if (parsed < 0) {
				throw new NumberFormatException("negative");
			}
			return parsed;
		}
		catch (NumberFormatException ex) {
			throw new StoreConfigurationException("Option '" + name + "' must be a non-negative integer, was '" + value + "'", ex);
		}
	}

	private static int millis(Duration duration) {
		return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
	}

}
