package io.valkeyrie.store.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

import io.valkeyrie.store.InvalidKeyException;

import org.jspecify.annotations.Nullable;

/**
 * The key rules, written once: normal form, validation, namespaces, parent/child tests and
 * segment escaping for backends that cannot hold every character.
 * <p>
 * A key is one or more {@code /}-separated segments; one leading and one trailing
 * {@code /} are ignored. Rejected: null or empty keys, empty segments, {@code .} or
 * {@code ..} segments, control characters, unpaired surrogates, other characters that are
 * not printable (noncharacters such as U+FFFE, unassigned code points, format and
 * private-use characters, spaces other than U+0020: Consul cannot serve them, so no
 * backend takes them), and keys longer than {@value #MAX_KEY_BYTES} bytes in UTF-8.
 */
public final class Keys {

	/** The longest key, in UTF-8 bytes. */
	public static final int MAX_KEY_BYTES = 1024;

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private Keys() {
	}

	/**
	 * Normalize and validate a key.
	 * @param key the key as given
	 * @return the key in normal form ({@code a/b})
	 * @throws InvalidKeyException naming the key and the rule it breaks
	 */
	public static String key(@Nullable String key) {
		if (key == null) {
			throw new InvalidKeyException(null, "a key must not be null");
		}
		String normal = strip(key);
		if (normal.isEmpty()) {
			throw new InvalidKeyException(key, "a key must not be empty");
		}
		validate(key, normal);
		return normal;
	}

	/**
	 * Normalize and validate a directory: like {@link #key(String)}, but empty and
	 * {@code /} mean the root and give {@code ""}.
	 * @param dir the directory as given
	 * @return the directory in normal form, {@code ""} for the root
	 */
	public static String dir(@Nullable String dir) {
		if (dir == null) {
			throw new InvalidKeyException(null, "a directory must not be null; use \"\" or \"/\" for the root");
		}
		String normal = strip(dir);
		if (!normal.isEmpty()) {
			validate(dir, normal);
		}
		return normal;
	}

	/**
	 * Normalize a namespace: {@code null}, empty and {@code /} mean the root.
	 * @param namespace the namespace as configured
	 * @return the namespace in normal form, {@code ""} for the root
	 */
	public static String namespace(@Nullable String namespace) {
		return (namespace != null) ? dir(namespace) : "";
	}

	/**
	 * Whether {@code key} lies strictly below {@code dir} (any depth).
	 * @param key a normal key
	 * @param dir a normal directory, {@code ""} for the root
	 * @return whether the key is below the directory
	 */
	public static boolean isBelow(String key, String dir) {
		if (dir.isEmpty()) {
			return !key.isEmpty();
		}
		return key.length() > dir.length() + 1 && key.startsWith(dir) && key.charAt(dir.length()) == '/';
	}

	/** Whether {@code key} is {@code dir} or lies below it. */
	public static boolean isAtOrBelow(String key, String dir) {
		return key.equals(dir) || isBelow(key, dir);
	}

	/**
	 * The prefix every key strictly below {@code dir} starts with: {@code dir + "/"}, or
	 * {@code ""} for the root.
	 */
	public static String childPrefix(String dir) {
		return dir.isEmpty() ? "" : dir + "/";
	}

	/** Join a namespace (or any base path) and a relative key; either may be empty. */
	public static String join(String base, String key) {
		if (base.isEmpty()) {
			return key;
		}
		return key.isEmpty() ? base : base + "/" + key;
	}

	/**
	 * The key relative to {@code base}.
	 * @param base a normal base path, {@code ""} for the root
	 * @param full a normal key at or below the base
	 * @return the relative key, {@code ""} for the base itself
	 */
	public static String relativize(String base, String full) {
		if (base.isEmpty()) {
			return full;
		}
		if (full.equals(base)) {
			return "";
		}
		if (!isBelow(full, base)) {
			throw new IllegalArgumentException("'" + full + "' is not below '" + base + "'");
		}
		return full.substring(base.length() + 1);
	}

	/** The parent of a normal key, {@code ""} for a top-level key. */
	public static String parent(String key) {
		int slash = key.lastIndexOf('/');
		return (slash < 0) ? "" : key.substring(0, slash);
	}

	/** The segments of a normal key; none for {@code ""}. */
	public static List<String> segments(String key) {
		return key.isEmpty() ? List.of() : Arrays.asList(key.split("/", -1));
	}

	/**
	 * The proper ancestors of a normal key from the root down: {@code "", "a", "a/b"} for
	 * {@code a/b/c}.
	 */
	public static List<String> ancestors(String key) {
		List<String> ancestors = new ArrayList<>();
		ancestors.add("");
		int slash = key.indexOf('/');
		while (slash >= 0) {
			ancestors.add(key.substring(0, slash));
			slash = key.indexOf('/', slash + 1);
		}
		return ancestors;
	}

	/**
	 * Percent-encode the UTF-8 bytes of a segment that {@code allowed} does not accept
	 * (and {@code %} itself), for backends whose paths cannot hold every character.
	 * @param segment one key segment
	 * @param allowed which code points may stay as they are
	 * @return the escaped segment
	 */
	public static String escapeSegment(String segment, IntPredicate allowed) {
		StringBuilder out = null;
		for (int i = 0; i < segment.length();) {
			int cp = segment.codePointAt(i);
			int next = i + Character.charCount(cp);
			if (cp == '%' || !allowed.test(cp)) {
				if (out == null) {
					out = new StringBuilder(segment.length() + 8).append(segment, 0, i);
				}
				for (byte b : segment.substring(i, next).getBytes(StandardCharsets.UTF_8)) {
					out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
				}
			}
			else if (out != null) {
				out.appendCodePoint(cp);
			}
			i = next;
		}
		return (out != null) ? out.toString() : segment;
	}

	/** Undo {@link #escapeSegment(String, IntPredicate)}. */
	public static String unescapeSegment(String segment) {
		if (segment.indexOf('%') < 0) {
			return segment;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
		for (int i = 0; i < segment.length(); i++) {
			char c = segment.charAt(i);
			if (c == '%' && i + 2 < segment.length()) {
				bytes.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
				i += 2;
			}
			else {
				byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				if (Character.isHighSurrogate(c) && i + 1 < segment.length()) {
					encoded = segment.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
					i++;
				}
				bytes.write(encoded, 0, encoded.length);
			}
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}

	/** Apply {@link #escapeSegment} to every segment of a normal key. */
	public static String escapePath(String key, IntPredicate allowed) {
		if (key.isEmpty()) {
			return key;
		}
		StringBuilder out = new StringBuilder(key.length() + 8);
		for (String segment : key.split("/", -1)) {
			if (out.length() > 0) {
				out.append('/');
			}
			out.append(escapeSegment(segment, allowed));
		}
		return out.toString();
	}

	/** Apply {@link #unescapeSegment} to every segment of an escaped path. */
	public static String unescapePath(String path) {
		if (path.indexOf('%') < 0) {
			return path;
		}
		StringBuilder out = new StringBuilder(path.length());
		for (String segment : path.split("/", -1)) {
			if (out.length() > 0) {
				out.append('/');
			}
			out.append(unescapeSegment(segment));
		}
		return out.toString();
	}

	private static String strip(String key) {
		int start = key.startsWith("/") ? 1 : 0;
		int end = (key.length() > start && key.endsWith("/")) ? key.length() - 1 : key.length();
		return key.substring(start, end);
	}

	private static void validate(String given, String normal) {
		int segmentStart = 0;
		for (int i = 0; i <= normal.length(); i++) {
			if (i == normal.length() || normal.charAt(i) == '/') {
				int length = i - segmentStart;
				if (length == 0) {
					throw new InvalidKeyException(given, "empty segment (\"//\") at position " + i);
				}
				if (length <= 2 && (normal.startsWith(".", segmentStart) && (length == 1 || normal.charAt(segmentStart + 1) == '.'))) {
					throw new InvalidKeyException(given, "'.' and '..' segments are not allowed");
				}
				segmentStart = i + 1;
				continue;
			}
			char c = normal.charAt(i);
			if (Character.isISOControl(c)) {
				throw new InvalidKeyException(given, String.format("control character U+%04X at position %d", (int) c, i));
			}
			int cp = c;
			if (Character.isSurrogate(c)) {
				boolean paired = Character.isHighSurrogate(c) && i + 1 < normal.length()
						&& Character.isLowSurrogate(normal.charAt(i + 1));
				if (!paired) {
					throw new InvalidKeyException(given, "unpaired surrogate at position " + i + " (not valid Unicode)");
				}
				cp = normal.codePointAt(i);
			}
			if (!isPrintable(cp)) {
				throw new InvalidKeyException(given, String.format("U+%04X at position %d is not a printable character (%s); "
						+ "keys hold letters, marks, digits, punctuation, symbols and the ASCII space", cp, i,
						unprintableKind(cp)));
			}
			if (cp != c) {
				i++;
			}
		}
		int bytes = utf8Length(normal);
		if (bytes > MAX_KEY_BYTES) {
			throw new InvalidKeyException(given, "longer than " + MAX_KEY_BYTES + " bytes in UTF-8 (" + bytes + " bytes)");
		}
	}

	/**
	 * What Consul's HTTP API accepts in a path (Go's {@code unicode.IsPrint}), so that every
	 * backend takes the same keys: letters, marks, numbers, punctuation, symbols and U+0020.
	 */
	private static boolean isPrintable(int cp) {
		return switch (Character.getType(cp)) {
			case Character.SPACE_SEPARATOR -> cp == ' ';
			case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.FORMAT, Character.PRIVATE_USE,
					Character.UNASSIGNED, Character.CONTROL, Character.SURROGATE -> false;
			default -> true;
		};
	}

	private static String unprintableKind(int cp) {
		return switch (Character.getType(cp)) {
			case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a space or line separator other than U+0020";
			case Character.FORMAT -> "an invisible format character";
			case Character.PRIVATE_USE -> "a private-use character";
			default -> ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) ? "a Unicode noncharacter"
					: "unassigned in this JDK's Unicode tables";
		};
	}

	private static int utf8Length(String s) {
		int bytes = 0;
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c < 0x80) {
				bytes++;
			}
			else if (c < 0x800) {
				bytes += 2;
			}
			else if (Character.isHighSurrogate(c)) {
				bytes += 4;
				i++;
			}
			else {
				bytes += 3;
			}
		}
		return bytes;
	}

}
