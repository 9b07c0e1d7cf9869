package io.valkeyrie.store.consul;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.Keys;

import org.jspecify.annotations.Nullable;

/**
 * The Consul-specific settings, read and checked once from {@link StoreConfig#options()}.
 *
 * @param endpoints the agents' base URIs ({@code http(s)://host:port}), tried in order
 * @param datacenter the datacenter to address, or {@code null} for the agent's own
 * @param consistentReads whether consistent reads use Consul's {@code consistent} mode
 * (linearizable) rather than its {@code default} mode
 * @param sessionTtlMin the agent's {@code session_ttl_min}, or {@code null} to ask the agent
 * @param lockDelay the lock-delay of lock sessions
 * @param bookkeepingPrefix the KV prefix of lock records
 * @param watchWait how long one blocking query waits
 * @param maxConnections the connection pool size
 * @param changeLog whether writes are logged so watchers see every change
 */
record ConsulSettings(List<URI> endpoints, @Nullable String datacenter, boolean consistentReads,
		@Nullable Duration sessionTtlMin, Duration lockDelay, String bookkeepingPrefix, Duration watchWait,
		int maxConnections, boolean changeLog) {

	static final String DATACENTER = "datacenter";

	static final String CONSISTENCY = "consistency";

	static final String SESSION_TTL_MIN = "session-ttl-min";

	static final String LOCK_DELAY = "lock-delay";

	static final String BOOKKEEPING_PREFIX = "bookkeeping-prefix";

	static final String WATCH_WAIT = "watch-wait";

	static final String MAX_CONNECTIONS = "max-connections";

	static final String CHANGE_LOG = "change-log";

	static final List<String> NAMES = List.of(DATACENTER, CONSISTENCY, SESSION_TTL_MIN, LOCK_DELAY, BOOKKEEPING_PREFIX,
			WATCH_WAIT, MAX_CONNECTIONS, CHANGE_LOG);

	/** Consul's own default lock-delay. */
	static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);

	static ConsulSettings of(StoreConfig config) {
		BackendOptions options = new BackendOptions(config, "consul", NAMES);
		List<URI> endpoints = new ArrayList<>();
		for (String endpoint : config.endpoints()) {
			endpoints.add(endpoint(endpoint, config.tls() != null));
		}
		if (endpoints.isEmpty()) {
			endpoints.add(URI.create((config.tls() != null) ? "https://127.0.0.1:8501" : "http://127.0.0.1:8500"));
		}
		String consistency = options.string(CONSISTENCY, "consistent").toLowerCase(Locale.ROOT);
		if (!consistency.equals("consistent") && !consistency.equals("default")) {
			throw options.invalid(CONSISTENCY, "'consistent' or 'default'");
		}
		String prefix = Keys.dir(options.string(BOOKKEEPING_PREFIX, "_valkeyrie"));
		if (prefix.isEmpty()) {
			throw options.invalid(BOOKKEEPING_PREFIX, "a key prefix other than '/'");
		}
		if (Keys.isAtOrBelow(config.namespace(), prefix)) {
			throw new StoreConfigurationException("The namespace '" + config.namespace()
					+ "' lies in the consul bookkeeping prefix '" + prefix + "' (option '" + BOOKKEEPING_PREFIX + "')");
		}
		return new ConsulSettings(List.copyOf(endpoints), options.string(DATACENTER), consistency.equals("consistent"),
				options.optionalDuration(SESSION_TTL_MIN, Duration.ZERO, null),
				options.duration(LOCK_DELAY, DEFAULT_LOCK_DELAY, Duration.ZERO, null), prefix,
				options.duration(WATCH_WAIT, Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMinutes(10)),
				options.positiveInt(MAX_CONNECTIONS, 64), options.bool(CHANGE_LOG, true));
	}

	private static URI endpoint(String endpoint, boolean tls) {
		String value = endpoint.contains("://") ? endpoint : ((tls ? "https://" : "http://") + endpoint);
		try {
			URI uri = URI.create(value);
			if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
				throw new IllegalArgumentException("expected http(s)://host:port");
			}
			int port = (uri.getPort() > 0) ? uri.getPort() : (uri.getScheme().equals("https") ? 8501 : 8500);
			return new URI(uri.getScheme(), null, uri.getHost(), port, null, null, null);
		}
		catch (IllegalArgumentException | java.net.URISyntaxException ex) {
			throw new StoreConfigurationException("Invalid consul endpoint '" + endpoint + "': " + ex.getMessage());
		}
	}

}
