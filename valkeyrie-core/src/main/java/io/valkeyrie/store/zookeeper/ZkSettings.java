package io.valkeyrie.store.zookeeper;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.Secrets;
import io.valkeyrie.store.internal.TlsProbe;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.common.X509Exception;
import org.apache.zookeeper.common.ZKConfig;
import org.jspecify.annotations.Nullable;

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

	private static final List<String> NAMES = List.of(BASE_PATH, SESSION_TIMEOUT, RETRY_BASE_SLEEP, RETRY_MAX_SLEEP,
			RETRY_MAX_RETRIES, LOCK_LOST_ON_SUSPEND, JUTE_MAX_BUFFER, ACL, TLS_KEY_STORE, TLS_KEY_STORE_PASSWORD,
			TLS_KEY_STORE_TYPE, TLS_TRUST_STORE, TLS_TRUST_STORE_PASSWORD, TLS_TRUST_STORE_TYPE);

	/** ZooKeeper's default {@code jute.maxbuffer}: 1 MiB - 1. */
	private static final int DEFAULT_JUTE_MAX_BUFFER = 0xfffff;

	/**
	 * Room for a request's header and path inside {@code jute.maxbuffer}: a 1024-byte key and
	 * namespace percent-escaped can take three times that.
	 */
	private static final int REQUEST_OVERHEAD = 8192;

	final StoreConfig config;

	private final BackendOptions options;

	final String basePath;

	final Duration sessionTimeout;

	final boolean lockLostOnSuspend;

	final int juteMaxBuffer;

	final boolean restrictAcl;

	/** The client settings of the store's own client when it uses TLS, for {@link #tlsFailure}. */
	private volatile @Nullable ZKClientConfig tlsClientConfig;

	/**
	 * Read and check the settings.
	 * @param config the configuration
	 * @param ownClient whether the store builds its own client (which needs endpoints)
	 */
	ZkSettings(StoreConfig config, boolean ownClient) {
		this.config = config;
		this.options = new BackendOptions(config, "zookeeper", NAMES);
		this.basePath = basePath(this.options.string(BASE_PATH, "/valkeyrie"));
		this.sessionTimeout = this.options.duration(SESSION_TIMEOUT, Duration.ofSeconds(10));
		this.lockLostOnSuspend = this.options.bool(LOCK_LOST_ON_SUSPEND, true);
		this.juteMaxBuffer = this.options.positiveInt(JUTE_MAX_BUFFER, DEFAULT_JUTE_MAX_BUFFER);
		int limit = this.juteMaxBuffer - REQUEST_OVERHEAD - Envelope.maxOverhead();
		if (config.maxValueSize() > limit) {
			throw new StoreConfigurationException("maxValueSize " + config.maxValueSize()
					+ " is too large for ZooKeeper: with jute.maxbuffer " + this.juteMaxBuffer + " (option '"
					+ JUTE_MAX_BUFFER + "', must match the servers' setting) the largest value is " + limit + " bytes");
		}
		String acl = this.options.string(ACL, (config.username() != null) ? "creator" : "open");
		if (!acl.equals("creator") && !acl.equals("open")) {
			throw this.options.invalid(ACL, "'creator' or 'open'");
		}
		this.restrictAcl = acl.equals("creator");
		if (ownClient && config.endpoints().isEmpty()) {
			throw new StoreConfigurationException("The zookeeper store needs at least one endpoint (host:port)");
		}
	}

	/** A new, not started Curator client for these settings. */
	CuratorFramework newClient() {
		ZKClientConfig zkConfig = new ZKClientConfig();
		zkConfig.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(this.juteMaxBuffer));
		// The store bounds every call itself; the client's own request timeout stays off.
		TlsConfig tls = this.config.tls();
		// A key or trust store option asks for TLS by itself (the way to ask for it from properties).
		if (tls == null && (this.options.string(TLS_KEY_STORE) != null || this.options.string(TLS_TRUST_STORE) != null)) {
			tls = TlsConfig.defaults();
		}
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
			copy(TLS_KEY_STORE, zkConfig, x509.getSslKeystoreLocationProperty());
			copy(TLS_KEY_STORE_PASSWORD, zkConfig, x509.getSslKeystorePasswdProperty());
			copy(TLS_KEY_STORE_TYPE, zkConfig, x509.getSslKeystoreTypeProperty());
			copy(TLS_TRUST_STORE, zkConfig, x509.getSslTruststoreLocationProperty());
			copy(TLS_TRUST_STORE_PASSWORD, zkConfig, x509.getSslTruststorePasswdProperty());
			copy(TLS_TRUST_STORE_TYPE, zkConfig, x509.getSslTruststoreTypeProperty());
			this.tlsClientConfig = zkConfig;
		}
		int baseSleep = millis(this.options.duration(RETRY_BASE_SLEEP, Duration.ofMillis(100)));
		int maxSleep = millis(this.options.duration(RETRY_MAX_SLEEP, Duration.ofSeconds(2)));
		int maxRetries = this.options.intValue(RETRY_MAX_RETRIES, 10, 0, Integer.MAX_VALUE);
		CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
			.connectString(String.join(",", this.config.endpoints()))
			.sessionTimeoutMs(millis(this.sessionTimeout))
			.connectionTimeoutMs(millis(this.config.connectTimeout()))
			.retryPolicy(new ExponentialBackoffRetry(baseSleep, maxRetries, maxSleep))
			.zkClientConfig(zkConfig);
		String username = this.config.username();
		if (username != null) {
			// Curator keeps the digest "user:password" to re-authenticate after every reconnect.
			char[] password = this.config.passwordChars();
			char[] digest = new char[username.length() + 1 + ((password != null) ? password.length : 0)];
			username.getChars(0, username.length(), digest, 0);
			digest[username.length()] = ':';
			if (password != null) {
				System.arraycopy(password, 0, digest, username.length() + 1, password.length);
				java.util.Arrays.fill(password, '\0');
			}
			builder.authorization("digest", Secrets.utf8(digest));
		}
		return builder.build();
	}

	/**
	 * The failure of a TLS handshake with the endpoints, made with the client's own TLS
	 * settings, or {@code null} if none fails (or the store's own client does not use TLS).
	 * The client only logs a failed handshake and tries again until the connect timeout, so
	 * after that timeout this says whether TLS, rather than the network, was the reason.
	 */
	@Nullable Exception tlsFailure(Duration timeout) {
		ZKClientConfig zkConfig = this.tlsClientConfig;
		if (zkConfig == null) {
			return null;
		}
		try (ClientX509Util x509 = new ClientX509Util()) {
			SSLContext context = x509.createSSLContext(zkConfig);
			// Outside FIPS mode ZooKeeper's own trust manager checks the names.
			boolean identify = x509.getFipsMode(zkConfig) && x509.isServerHostnameVerificationEnabled(zkConfig);
			for (String endpoint : this.config.endpoints()) {
				String hostPort = endpoint.replaceAll("/.*", "");
				int colon = hostPort.lastIndexOf(':');
				if (colon <= 0 || !hostPort.substring(colon + 1).matches("\\d{1,5}")) {
					continue; // not host:port; the client said what it thought of it
				}
				// The name the ZooKeeper client checks the certificate against: the address's host name.
				String host = new InetSocketAddress(hostPort.substring(0, colon), 0).getHostName();
				Exception failure = TlsProbe.failure(context, host, Integer.parseInt(hostPort.substring(colon + 1)),
						identify, timeout);
				if (failure != null) {
					return failure;
				}
			}
			return null;
		}
		catch (X509Exception ex) {
			return ex;
		}
	}

	private void copy(String name, ZKClientConfig zkConfig, String property) {
		String value = this.options.string(name);
		if (value != null) {
			zkConfig.setProperty(property, value);
		}
	}

	private static String basePath(String value) {
		String path = value.trim();
		if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/") || path.contains("//")
				|| path.equals("/zookeeper") || path.startsWith("/zookeeper/")) {
			throw new StoreConfigurationException("zookeeper option '" + BASE_PATH + "' must be an absolute znode path like "
					+ "'/valkeyrie' (not the root, not below /zookeeper), was '" + value + "'");
		}
		return path;
	}

	private static int millis(Duration duration) {
		return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
	}

}
