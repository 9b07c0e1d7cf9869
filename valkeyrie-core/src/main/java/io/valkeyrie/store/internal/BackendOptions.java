package io.valkeyrie.store.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;

import org.jspecify.annotations.Nullable;

/**
 * A backend's options from {@link StoreConfig#options()}, checked against the names the backend
 * knows and read with typed getters that fail with one message style.
 * <p>
 * Option names are kebab-case ({@code history-size}); a camelCase ({@code historySize}) or
 * snake_case ({@code history_size}) spelling names the same option. When two spellings of one
 * option are given, the later one wins, as when one name is set twice. A blank value counts as
 * absent. Durations are ISO-8601 ({@code PT10S}) or a number with a unit as Go writes them
 * ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1m30s}, {@code 1.5s}); a bare
 * number is refused because its unit would be a guess.
 */
public final class BackendOptions {

	/** One part of a unit duration such as {@code 1m30s}. */
	private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|\u00b5s|ns)");

	private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

	private final String backend;

	private final List<String> names;

	/** Canonical name to the option as given: its spelling and its value. */
	private final Map<String, Map.Entry<String, String>> values = new LinkedHashMap<>();

	/**
	 * Read the options of the given configuration.
	 * @param config the store configuration
	 * @param backend the backend's name, as it appears in messages
	 * @param names the backend's option names, in kebab-case
	 * @throws StoreConfigurationException if an option name is not one of {@code names}
	 */
	public BackendOptions(StoreConfig config, String backend, List<String> names) {
		for (String name : names) {
			if (!canonicalName(name).equals(name)) {
				throw new IllegalArgumentException("Option name '" + name + "' is not kebab-case");
			}
		}
		this.backend = backend;
		this.names = List.copyOf(names);
		config.options().forEach((given, value) -> {
			String name = canonicalName(given);
			if (!this.names.contains(name)) {
				throw new StoreConfigurationException("Unknown " + backend + " option '" + given + "'; the " + backend
						+ " options are " + String.join(", ", this.names));
			}
			// Remove first so the later spelling is also the one named in messages.
			this.values.remove(name);
			this.values.put(name, Map.entry(given, value));
		});
	}

	/**
	 * The kebab-case form of an option name: {@code historySize} and {@code history_size} become
	 * {@code history-size}.
	 * @param name an option name
	 * @return the name in kebab-case
	 */
	public static String canonicalName(String name) {
		StringBuilder canonical = new StringBuilder(name.length() + 4);
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c == '_') {
				canonical.append('-');
			}
			else if (Character.isUpperCase(c)) {
				char previous = (i > 0) ? name.charAt(i - 1) : '-';
				if (Character.isLowerCase(previous) || Character.isDigit(previous)) {
					canonical.append('-');
				}
				canonical.append(Character.toLowerCase(c));
			}
			else {
				canonical.append(c);
			}
		}
		return canonical.toString();
	}

	/**
	 * Whether the option is given with a value that is not blank.
	 * @param name the option's kebab-case name
	 * @return whether the option is set
	 */
	public boolean isSet(String name) {
		return raw(name) != null;
	}

	/**
	 * A text option, trimmed.
	 * @param name the option's kebab-case name
	 * @return the value, or {@code null} if absent or blank
	 */
	public @Nullable String string(String name) {
		return raw(name);
	}

	/**
	 * A text option, trimmed.
	 * @param name the option's kebab-case name
	 * @param defaultValue the value when the option is absent or blank
	 * @return the value
	 */
	public String string(String name, String defaultValue) {
		String value = raw(name);
		return (value != null) ? value : defaultValue;
	}

	/**
	 * A {@code true}/{@code false} option, in any case.
	 * @param name the option's kebab-case name
	 * @param defaultValue the value when the option is absent or blank
	 * @return the value
	 */
	public boolean bool(String name, boolean defaultValue) {
		String value = raw(name);
		if (value == null) {
			return defaultValue;
		}
		return switch (value.toLowerCase(Locale.ROOT)) {
			case "true" -> true;
			case "false" -> false;
			default -> throw invalid(name, "true or false");
		};
	}

	/**
	 * A positive whole-number option.
	 * @param name the option's kebab-case name
	 * @param defaultValue the value when the option is absent or blank
	 * @return the value
	 */
	public int positiveInt(String name, int defaultValue) {
		return intValue(name, defaultValue, 1, Integer.MAX_VALUE);
	}

	/**
	 * A whole-number option within bounds.
	 * @param name the option's kebab-case name
	 * @param defaultValue the value when the option is absent or blank
	 * @param min the smallest value accepted
	 * @param max the largest value accepted
	 * @return the value
	 */
	public int intValue(String name, int defaultValue, int min, int max) {
		Integer value = optionalInt(name, min, max);
		return (value != null) ? value : defaultValue;
	}

	/**
	 * A whole-number option within bounds, without a default.
	 * @param name the option's kebab-case name
	 * @param min the smallest value accepted
	 * @param max the largest value accepted
	 * @return the value, or {@code null} if absent or blank
	 */
	public @Nullable Integer optionalInt(String name, int min, int max) {
		Long value = optionalLong(name, min, max);
		return (value != null) ? Math.toIntExact(value) : null;
	}

	/**
	 * A positive whole-number option.
	 * @param name the option's kebab-case name
	 * @param defaultValue the value when the option is absent or blank
	 * @return the value
	 */
	public long positiveLong(String name, long defaultValue) {
		return longValue(name, defaultValue, 1, Long.MAX_VALUE);
	}

	/**
	 * A whole-number option within bounds.
	 * @param name the option's kebab-case name
	 * @param defaultValue the value when the option is absent or blank
	 * @param min the smallest value accepted
	 * @param max the largest value accepted
	 * @return the value
	 */
	public long longValue(String name, long defaultValue, long min, long max) {
		Long value = optionalLong(name, min, max);
		return (value != null) ? value : defaultValue;
	}

	private @Nullable Long optionalLong(String name, long min, long max) {
		String value = raw(name);
		if (value == null) {
			return null;
		}
		try {
			long parsed = Long.parseLong(value);
			if (parsed >= min && parsed <= max) {
				return parsed;
			}
		}
		catch (NumberFormatException ex) {
			// Reported below with the accepted range.
		}
		throw invalid(name, range(min, max));
	}

	/**
	 * A positive duration option.
	 * @param name the option's kebab-case name
	 * @param defaultValue the value when the option is absent or blank
	 * @return the value
	 */
	public Duration duration(String name, Duration defaultValue) {
		return duration(name, defaultValue, Duration.ofNanos(1), null);
	}

	/**
	 * A duration option within bounds.
	 * @param name the option's kebab-case name
	 * @param defaultValue the value when the option is absent or blank
	 * @param min the shortest duration accepted
	 * @param max the longest duration accepted, or {@code null} for no limit
	 * @return the value
	 */
	public Duration duration(String name, Duration defaultValue, Duration min, @Nullable Duration max) {
		Duration value = optionalDuration(name, min, max);
		return (value != null) ? value : defaultValue;
	}

	/**
	 * A duration option within bounds, without a default.
	 * @param name the option's kebab-case name
	 * @param min the shortest duration accepted
	 * @param max the longest duration accepted, or {@code null} for no limit
	 * @return the value, or {@code null} if absent or blank
	 */
	public @Nullable Duration optionalDuration(String name, Duration min, @Nullable Duration max) {
		String value = raw(name);
		if (value == null) {
			return null;
		}
		Duration parsed = parseDuration(value);
		if (parsed == null || parsed.compareTo(min) < 0 || (max != null && parsed.compareTo(max) > 0)) {
			String what;
			if (max != null) {
				what = "a duration from " + format(min) + " to " + format(max);
			}
			else if (min.isZero()) {
				what = "a duration of zero or more";
			}
			else {
				what = min.equals(Duration.ofNanos(1)) ? "a positive duration" : "a duration of at least " + format(min);
			}
			throw invalid(name, what + " such as 500ms, 10s, 1m30s or PT10S");
		}
		return parsed;
	}

	/**
	 * The exception for an option whose value is not what the backend accepts, for checks the
	 * typed getters do not make.
	 * @param name the option's kebab-case name
	 * @param what what the value must be, such as {@code "'consistent' or 'default'"}
	 * @return the exception, saying {@code <backend> option 'name' must be <what>, was 'value'}
	 */
	public StoreConfigurationException invalid(String name, String what) {
		Map.Entry<String, String> given = this.values.get(name);
		String spelling = (given != null) ? given.getKey() : name;
		String value = (given != null) ? given.getValue() : null;
		return new StoreConfigurationException(this.backend + " option '" + spelling + "' must be " + what + ", was '" + value + "'");
	}

	/**
	 * Parse a duration in ISO-8601 ({@code PT10S}) or Go form ({@code 500ms}, {@code 1m30s},
	 * {@code 1.5s}, {@code 1h0m0s}, {@code 0s}); a bare number is not a duration.
	 * @param text the text to parse
	 * @return the duration, or {@code null} if the text is not one
	 */
	public static @Nullable Duration parseDuration(String text) {
		String value = text.trim();
		if (value.startsWith("P") || value.startsWith("p")) {
			try {
				return Duration.parse(value);
			}
			catch (DateTimeParseException ex) {
				return null;
			}
		}
		Matcher part = DURATION_PART.matcher(value);
		BigDecimal nanos = BigDecimal.ZERO;
		int end = 0;
		while (part.find() && part.start() == end) {
			long unit = switch (part.group(2)) {
				case "h" -> 3_600_000_000_000L;
				case "m" -> 60_000_000_000L;
				case "s" -> 1_000_000_000L;
				case "ms" -> 1_000_000L;
				case "us", "\u00b5s" -> 1_000L;
				default -> 1L;
			};
			nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unit)));
			end = part.end();
		}
		if (end == 0 || end != value.length() || nanos.compareTo(MAX_NANOS) > 0) {
			return null;
		}
		return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
	}

	private @Nullable String raw(String name) {
		if (!this.names.contains(name)) {
			throw new IllegalArgumentException("'" + name + "' is not one of the " + this.backend + " options " + this.names);
		}
		Map.Entry<String, String> given = this.values.get(name);
		String value = (given != null) ? given.getValue() : null;
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	private static String range(long min, long max) {
		if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
			return (min == 1) ? "a positive whole number" : "a whole number of at least " + min;
		}
		return "a whole number from " + min + " to " + max;
	}

	/**
	 * A duration as people write it in messages and options, in Spring Boot's style:
	 * {@code 2s}, {@code 1.5s}, {@code 1m30s}, {@code 500ms} (never {@code PT2S}).
	 */
	public static String format(Duration duration) {
		if (!duration.isNegative() && duration.compareTo(Duration.ofSeconds(1)) < 0 && !duration.isZero()
				&& duration.toNanos() % 1_000_000 == 0) {
			return duration.toMillis() + "ms";
		}
		return duration.toString().substring(2).toLowerCase(Locale.ROOT);
	}

}
