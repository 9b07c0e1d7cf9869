package io.valkeyrie.store.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.Secrets;

import org.jspecify.annotations.Nullable;

/**
 * The etcd-specific settings of a {@link StoreConfig} ({@link StoreConfig#options()}), checked,
 * and the jetcd client they describe.
 */
final class EtcdSettings {

	/** Option: the size limit of one request the etcd server accepts ({@code --max-request-bytes}). */
	static final String MAX_REQUEST_BYTES = "max-request-bytes";

	/** Option: the TLS authority (host name the server's certificate names), when it differs from the endpoint's. */
	static final String AUTHORITY = "authority";

	/** Option: how often gRPC pings an idle connection to detect a dead server. */
	static final String KEEP_ALIVE_TIME = "grpc-keep-alive-time";

	/** Option: how long gRPC waits for a ping's answer before it drops the connection. */
	static final String KEEP_ALIVE_TIMEOUT = "grpc-keep-alive-timeout";

	static final List<String> OPTIONS = List.of(AUTHORITY, MAX_REQUEST_BYTES, KEEP_ALIVE_TIME, KEEP_ALIVE_TIMEOUT);

	/** etcd's default {@code --max-request-bytes}: 1.5 MiB. */
	static final int DEFAULT_MAX_REQUEST_BYTES = 1536 * 1024;

	/** Room in a request for the key (up to 1 KiB), the lease and gRPC framing. */
	static final int REQUEST_OVERHEAD = 8 * 1024;

	private final StoreConfig config;

	private final int maxRequestBytes;

	private final @Nullable String authority;

	private final Duration keepAliveTime;

	private final Duration keepAliveTimeout;

	EtcdSettings(StoreConfig config) {
		this.config = config;
		BackendOptions options = new BackendOptions(config, "etcd", OPTIONS);
		this.maxRequestBytes = options.positiveInt(MAX_REQUEST_BYTES, DEFAULT_MAX_REQUEST_BYTES);
		this.authority = options.string(AUTHORITY);
		this.keepAliveTime = options.duration(KEEP_ALIVE_TIME, Duration.ofSeconds(10));
		this.keepAliveTimeout = options.duration(KEEP_ALIVE_TIMEOUT, Duration.ofSeconds(5));
		int largest = this.maxRequestBytes - REQUEST_OVERHEAD;
		if (config.maxValueSize() > largest) {
			throw new StoreConfigurationException("maxValueSize " + config.maxValueSize() + " is larger than an etcd request "
					+ "can carry: the server accepts requests up to " + this.maxRequestBytes + " bytes (etcd's "
					+ "--max-request-bytes, default 1.5 MiB; declare a raised limit with option '" + MAX_REQUEST_BYTES
					+ "'), which leaves at most " + largest + " bytes for a value");
		}
		TlsConfig tls = config.tls();
		if (tls != null && !tls.verifyHostname()) {
			throw new StoreConfigurationException("The etcd backend always verifies the server's host name (gRPC does); "
					+ "set option '" + AUTHORITY + "' to the name the server's certificate was issued for instead of "
					+ "turning verification off");
		}
	}

	/** A jetcd client for these settings. */
	Client newClient() {
		if (this.config.endpoints().isEmpty()) {
			throw new StoreConfigurationException("The etcd store needs at least one endpoint, such as http://127.0.0.1:2379");
		}
		ClientBuilder builder = Client.builder()
			.endpoints(endpoints())
			.connectTimeout(this.config.connectTimeout())
			.retryMaxDuration(this.config.requestTimeout())
			.keepaliveTime(this.keepAliveTime)
			.keepaliveTimeout(this.keepAliveTimeout)
			// Only while a stream (watch, lease keep-alive) is open: etcd answers pings on an idle
			// connection with "too many pings" and drops it, and unary calls have their timeout.
			.keepaliveWithoutCalls(false)
			// Fail fast while the connection is down: a request parked for later could apply long after
			// the caller was told it failed.
			.waitForReady(false)
			// A list answer holds many values; the request limit guards writes, not reads.
			.maxInboundMessageSize(Integer.MAX_VALUE);
		if (this.config.username() != null) {
			builder.user(ByteSequence.from(this.config.username(), StandardCharsets.UTF_8));
			// jetcd keeps its own copy (ByteSequence) to re-authenticate; ours is wiped.
			char[] password = this.config.passwordChars();
			byte[] bytes = Secrets.utf8((password != null) ? password : new char[0]);
			builder.password(ByteSequence.from(bytes));
			java.util.Arrays.fill(bytes, (byte) 0);
		}
		if (this.authority != null) {
			builder.authority(this.authority);
		}
		TlsConfig tls = this.config.tls();
		if (tls != null) {
			try {
				builder.sslContext((ssl) -> {
					if (tls.keyManagers() != null) {
						ssl.keyManager(tls.keyManagers());
					}
					if (tls.trustManagers() != null) {
						ssl.trustManager(tls.trustManagers());
					}
				});
			}
			catch (SSLException ex) {
				throw new StoreConfigurationException("The etcd TLS settings are not usable: " + ex.getMessage(), ex);
			}
		}
		return builder.build();
	}

	private String[] endpoints() {
		String scheme = (this.config.tls() != null) ? "https://" : "http://";
		return this.config.endpoints()
			.stream()
			.flatMap((endpoint) -> java.util.Arrays.stream(endpoint.split(",")))
			.map(String::trim)
			.filter((endpoint) -> !endpoint.isEmpty())
			.map((endpoint) -> endpoint.contains("://") ? endpoint : scheme + endpoint)
			.toArray(String[]::new);
	}

}
