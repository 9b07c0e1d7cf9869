package io.valkeyrie.sample;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@code If-Match} header (RFC 9110, section 13.1.1): {@code *} (the key exists) or a
 * list of entity tags compared strongly, so a weak tag ({@code W/"7"}) never matches. The
 * API's entity tags are indexes ({@code "7"}); a bare {@code 7} is accepted as well. A
 * well-formed tag that is no index can never match.
 *
 * @param any whether the header is {@code *}
 * @param indexes the indexes of the strong tags that can match
 */
record IfMatch(boolean any, List<Long> indexes) {

	/**
	 * Parse the header.
	 * @param header the header value
	 * @return the condition
	 * @throws org.springframework.web.ErrorResponseException 400 if it is no list of entity tags
	 */
	static IfMatch parse(String header) {
		String value = header.trim();
		if (value.equals("*")) {
			return new IfMatch(true, List.of());
		}
		List<Long> indexes = new ArrayList<>();
		int i = 0;
		while (i < value.length()) {
			boolean weak = value.startsWith("W/", i);
			int start = weak ? i + 2 : i;
			int end;
			String tag;
			if (start < value.length() && value.charAt(start) == '"') {
				end = value.indexOf('"', start + 1);
				if (end < 0) {
					throw malformed(header);
				}
				tag = value.substring(start + 1, end);
				end++;
			}
			else if (!weak) {
				// Not RFC syntax, but what a user types after reading an index: accepted when it is one.
				end = value.indexOf(',', start);
				end = (end < 0) ? value.length() : end;
				tag = value.substring(start, end).trim();
				if (index(tag) == 0) {
					throw malformed(header);
				}
			}
			else {
				throw malformed(header);
			}
			long index = index(tag);
			if (!weak && index > 0) {
				indexes.add(index);
			}
			i = skipSeparator(value, end, header);
		}
		if (indexes.isEmpty() && !value.contains("\"")) {
			throw malformed(header);
		}
		return new IfMatch(false, List.copyOf(indexes));
	}

	private static int skipSeparator(String value, int from, String header) {
		int i = from;
		while (i < value.length() && value.charAt(i) == ' ') {
			i++;
		}
		if (i == value.length()) {
			return i;
		}
		if (value.charAt(i) != ',') {
			throw malformed(header);
		}
		i++;
		while (i < value.length() && value.charAt(i) == ' ') {
			i++;
		}
		return i;
	}

	private static long index(String tag) {
		try {
			return Math.max(0, Long.parseLong(tag));
		}
		catch (NumberFormatException ex) {
			// Not an index: a tag this API never gives out, so it matches nothing.
			return 0;
		}
	}

	private static RuntimeException malformed(String header) {
		return Problems.badRequest("If-Match must be '*' or entity tags as the ETag gives them (e.g. \"42\"), was '"
				+ header + "'");
	}

}
