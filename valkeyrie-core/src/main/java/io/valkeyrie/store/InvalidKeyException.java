package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * A key breaks the key rules; thrown before any I/O. The message names the key and the
 * rule.
 */
public class InvalidKeyException extends StoreException {

	private static final long serialVersionUID = 1L;

	private final @Nullable String key;

	public InvalidKeyException(@Nullable String key, String rule) {
		super("Invalid key " + describe(key) + ": " + rule);
		this.key = key;
	}

	/** The rejected key as given, or {@code null}. */
	public @Nullable String key() {
		return this.key;
	}

	private static String describe(@Nullable String key) {
		if (key == null) {
			return "null";
		}
		StringBuilder out = new StringBuilder("'");
		int shown = 0;
		for (int i = 0; i < key.length() && shown < 200; i++, shown++) {
			char c = key.charAt(i);
			if (Character.isISOControl(c)) {
				out.append(String.format("\\u%04x", (int) c));
			}
			else {
				out.append(c);
			}
		}
		return out.append((key.length() > 200) ? "...'" : "'").toString();
	}

}
