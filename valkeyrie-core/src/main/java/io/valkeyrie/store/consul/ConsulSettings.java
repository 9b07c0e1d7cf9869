package io.valkeyrie.store.consul;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
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

	static final Set<String> NAMES = new TreeSet<>(List.of(DATACENTER, CONSISTENCY, SESSION_TTL_MIN, LOCK_DELAY,
			BOOKKEEPING_PREFIX, WATCH_WAIT, MAX_CONNECTIONS, CHANGE_LOG));

	/** One part of a Go duration such as {@code 1m30s}. */
	private static final Pattern GO_DURATION_PART = Pattern
		.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|\u00b5s|ns)");

	/** Consul's own default lock-delay. */
	static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);

	static ConsulSettings of(StoreConfig config) {
		Map<String, String> options = config.options();
		for (String name : options.keySet()) {
			if (!NAMES.contains(name)) {
				throw new StoreConfigurationException("Unknown consul option '" + name + "'; the known options are " + NAMES);
			}
		}
		List<URI> endpoints = new ArrayList<>();
		for (String endpoint : config.endpoints()) {
			endpoints.add(endpoint(endpoint, config.tls() != null));
		}
		if (endpoints.isEmpty()) {
			endpoints.add(URI.create((config.tls() != null) ? "https://127.0.0.1:8501" : "http://127.0.0.1:8500"));
		}
		String consistency = options.getOrDefault(CONSISTENCY, "consistent").trim().toLowerCase(Locale.ROOT);
		if (!consistency.equals("consistent") && !consistency.equals("default")) {
			throw new StoreConfigurationException("consul option '" + CONSISTENCY + "' must be 'consistent' or 'default', was '"
					+ consistency + "'");
		}
		String prefix = Keys.dir(options.getOrDefault(BOOKKEEPING_PREFIX, "_valkeyrie"));
		if (prefix.isEmpty()) {
			throw new StoreConfigurationException("consul option '" + BOOKKEEPING_PREFIX + "' must not be empty");
		}
		if (Keys.isAtOrBelow(config.namespace(), prefix)) {
			throw new StoreConfigurationException("The namespace '" + config.namespace()
					+ "' lies in the consul bookkeeping prefix '" + prefix + "' (option '" + BOOKKEEPING_PREFIX + "')");
		}
		Duration sessionTtlMin = options.containsKey(SESSION_TTL_MIN) ? duration(options, SESSION_TTL_MIN, null) : null;
		Duration watchWait = duration(options, WATCH_WAIT, Duration.ofSeconds(60));
		if (watchWait.compareTo(Duration.ofSeconds(1)) < 0 || watchWait.compareTo(Duration.ofMinutes(10)) > 0) {
			throw new StoreConfigurationException("consul option '" + WATCH_WAIT + "' must be between 1s and 10m, was " + watchWait);
		}
		int maxConnections = integer(options, MAX_CONNECTIONS, 64);
		String changeLog = options.getOrDefault(CHANGE_LOG, "true").trim().toLowerCase(Locale.ROOT);
		if (!changeLog.equals("true") && !changeLog.equals("false")) {
			throw new StoreConfigurationException("consul option '" + CHANGE_LOG + "' must be true or false, was '" + changeLog + "'");
		}
		String datacenter = options.get(DATACENTER);
		return new ConsulSettings(List.copyOf(endpoints), (datacenter == null || datacenter.isBlank()) ? null : datacenter.trim(),
				consistency.equals("consistent"), sessionTtlMin, duration(options, LOCK_DELAY, DEFAULT_LOCK_DELAY), prefix,
				watchWait, maxConnections, changeLog.equals("true"));
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

	static Duration duration(Map<String, String> options, String name, @Nullable Duration defaultValue) {
		String value = options.get(name);
		if (value == null) {
			if (defaultValue == null) {
				throw new IllegalStateException(name);
			}
			return defaultValue;
		}
		Duration duration = parseDuration(value.trim());
		if (duration == null || duration.isNegative()) {
			throw new StoreConfigurationException("consul option '" + name
					+ "' must be a duration such as 15s, 500ms, 2m or PT15S, was '" + value + "'");
		}
		return duration;
	}

	/**
	 * Parses Go durations as Consul prints them ({@code 15s}, {@code 500ms}, {@code 1m30s},
	 * {@code 1h0m0s}), a bare number of seconds, and ISO-8601 ({@code PT15S}).
	 */
	static @Nullable Duration parseDuration(String value) {
		try {
			if (value.startsWith("P") || value.startsWith("p")) {
				return Duration.parse(value);
			}
			if (value.matches("\\d+")) {
				return Duration.ofSeconds(Long.parseLong(value));
			}
			Matcher part = GO_DURATION_PART.matcher(value);
			double nanos = 0;
			int end = 0;
			while (part.find() && part.start() == end) {
				double amount = Double.parseDouble(part.group(1));
				nanos += amount * switch (part.group(2)) {
					case "h" -> 3600e9;
					case "m" -> 60e9;
					case "s" -> 1e9;
					case "ms" -> 1e6;
					case "us", "\u00b5s" -> 1e3;
					default -> 1;
				};
				end = part.end();
			}
			return (end == value.length() && end > 0) ? Duration.ofNanos(Math.round(nanos)) : null;
		}
		catch (NumberFormatException | DateTimeParseException ex) {
			return null;
		}
	}


	private static int integer(Map<String, String> options, String name, int defaultValue) {
		String value = options.get(name);
		if (value == null) {
			return defaultValue;
		}
		try {
			int parsed = Integer.parseInt(value.trim());
			if (parsed > 0) {
				return parsed;
			}
		}
		catch (NumberFormatException ex) {
			// Reported below with the option's name.
		}
		throw new StoreConfigurationException("consul option '" + name + "' must be a positive integer, was '" + value + "'");
	}

}
