package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a {@link DeferredStore} tries to connect: first after {@code initial}, then
 * twice as long after each failed attempt, never longer than {@code max}.
 *
 * @param initial the wait before the first background attempt
 * @param max the longest wait between two attempts
 */
public record ConnectBackoff(Duration initial, Duration max) {

	/** Half a second, doubling up to ten seconds. */
	public static final ConnectBackoff DEFAULTS = new ConnectBackoff(Duration.ofMillis(500), Duration.ofSeconds(10));

	public ConnectBackoff {
		Objects.requireNonNull(initial, "'initial' must not be null");
		Objects.requireNonNull(max, "'max' must not be null");
		if (initial.isNegative() || initial.isZero()) {
			throw new IllegalArgumentException("The initial connect retry interval must be positive, not " + initial);
		}
		if (max.compareTo(initial) < 0) {
			throw new IllegalArgumentException("The longest connect retry interval (" + BackendOptions.format(max)
					+ ") must not be shorter than the initial one (" + BackendOptions.format(initial) + ")");
		}
	}

	/** The wait after one of {@code previous}. */
	Duration next(Duration previous) {
		Duration doubled = previous.multipliedBy(2);
		return (doubled.compareTo(this.max) > 0) ? this.max : doubled;
	}

}
