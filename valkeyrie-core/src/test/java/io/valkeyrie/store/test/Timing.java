package io.valkeyrie.store.test;

import java.time.Duration;

/**
 * Scales the waits of timing-sensitive tests: run with {@code -Dvalkeyrie.test.timing=2} on a
 * slow machine to double every bound without touching the tests.
 */
public final class Timing {

	private static final double SCALE = Double.parseDouble(System.getProperty("valkeyrie.test.timing", "1"));

	private Timing() {
	}

	/** {@code duration} times the scale factor. */
	public static Duration scaled(Duration duration) {
		return Duration.ofNanos((long) (duration.toNanos() * SCALE));
	}

	/** {@code millis} milliseconds times the scale factor. */
	public static Duration millis(long millis) {
		return scaled(Duration.ofMillis(millis));
	}

	/** {@code seconds} seconds times the scale factor. */
	public static Duration seconds(long seconds) {
		return scaled(Duration.ofSeconds(seconds));
	}

}
