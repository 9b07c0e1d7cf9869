package io.valkeyrie.store.redis;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;

import org.jspecify.annotations.Nullable;

/**
 * The redis backend's settings from {@link StoreConfig#options()}; see docs/backends/redis.md.
 *
 * @param keyPrefix the start of every Redis key the store writes
 * @param database the database number, or {@code null} for the endpoint's (default 0)
 * @param sentinelMaster the Sentinel master name; the endpoints are then Sentinel nodes
 * @param clientName the name the connections show in {@code CLIENT LIST}
 * @param sweepInterval how often due TTL keys are removed and their deletion published
 * @param inlineValueLimit values up to this size travel inside change messages
 * @param minimumTtl the smallest TTL accepted
 * @param historySize about how many recent changes are kept to resume watches (0: none)
 */
record RedisOptions(String keyPrefix, @Nullable Integer database, @Nullable String sentinelMaster, String clientName,
		Duration sweepInterval, int inlineValueLimit, Duration minimumTtl, int historySize) {

	static final String KEY_PREFIX = "keyPrefix";

	static final String DATABASE = "database";

	static final String SENTINEL_MASTER = "sentinelMaster";

	static final String CLIENT_NAME = "clientName";

	static final String SWEEP_INTERVAL = "sweepInterval";

	static final String INLINE_VALUE_LIMIT = "inlineValueLimit";

	static final String MINIMUM_TTL = "minimumTtl";

	static final String HISTORY_SIZE = "historySize";

	private static final Set<String> KNOWN = new TreeSet<>(List.of(KEY_PREFIX, DATABASE, SENTINEL_MASTER, CLIENT_NAME,
			SWEEP_INTERVAL, INLINE_VALUE_LIMIT, MINIMUM_TTL, HISTORY_SIZE));

	static RedisOptions of(StoreConfig config) {
		Map<String, String> options = config.options();
		List<String> unknown = new ArrayList<>();
		for (String name : options.keySet()) {
			if (!KNOWN.contains(name)) {
				unknown.add(name);
			}
		}
		if (!unknown.isEmpty()) {
			throw new StoreConfigurationException("Unknown redis store option(s) " + unknown + "; the known options are " + KNOWN);
		}
		String prefix = options.getOrDefault(KEY_PREFIX, "valkeyrie");
		if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
			throw new StoreConfigurationException("Option '" + KEY_PREFIX + "' must not contain '{' or '}' (the namespace is the hash tag), was '" + prefix + "'");
		}
		Integer database = null;
		if (options.containsKey(DATABASE)) {
			database = (int) number(DATABASE, options.get(DATABASE), 0, Integer.MAX_VALUE);
		}
		String master = options.get(SENTINEL_MASTER);
		if (master != null && master.isBlank()) {
			throw new StoreConfigurationException("Option '" + SENTINEL_MASTER + "' must not be blank");
		}
		return new RedisOptions(prefix, database, master, options.getOrDefault(CLIENT_NAME, "valkeyrie"),
				duration(SWEEP_INTERVAL, options.get(SWEEP_INTERVAL), Duration.ofMillis(250)),
				(int) number(INLINE_VALUE_LIMIT, options.getOrDefault(INLINE_VALUE_LIMIT, "65536"), 0, Integer.MAX_VALUE),
				duration(MINIMUM_TTL, options.get(MINIMUM_TTL), Duration.ofMillis(100)),
				(int) number(HISTORY_SIZE, options.getOrDefault(HISTORY_SIZE, "1000"), 0, Integer.MAX_VALUE));
	}

	private static long number(String name, String value, long min, long max) {
		try {
			long number = Long.parseLong(value.trim());
			if (number >= min && number <= max) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// Reported below with the expected form.
		}
		throw new StoreConfigurationException("Option '" + name + "' must be a whole number from " + min + " to " + max + ", was '" + value + "'");
	}

	/** {@code 250ms}, {@code 2s}, {@code 1m} or ISO-8601 ({@code PT0.25S}); positive. */
	static Duration duration(String name, @Nullable String value, Duration defaultValue) {
		if (value == null) {
			return defaultValue;
		}
		String text = value.trim().toLowerCase(Locale.ROOT);
		Duration duration = null;
		try {
			if (text.endsWith("ms")) {
				duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).trim()));
			}
			else if (text.endsWith("s") && !text.startsWith("p")) {
				duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1).trim()));
			}
			else if (text.endsWith("m") && !text.startsWith("p")) {
				duration = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1).trim()));
			}
			else {
				duration = Duration.parse(value.trim());
			}
		}
		catch (NumberFormatException | DateTimeParseException ex) {
			// Reported below with the expected form.
		}
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw new StoreConfigurationException("Option '" + name + "' must be a positive duration such as 250ms, 2s or PT0.25S, was '" + value + "'");
		}
		return duration;
	}

}
