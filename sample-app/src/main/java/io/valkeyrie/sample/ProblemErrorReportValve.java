package io.valkeyrie.sample;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.jspecify.annotations.Nullable;

/**
 * Answers the errors Tomcat gives on its own for {@code /api/} requests, before any servlet
 * sees them, with a problem detail instead of Tomcat's HTML page. These are requests whose
 * URI Tomcat refuses: an encoded {@code /} ({@code %2F}) or NUL ({@code %00}) in a key. In
 * a key, {@code /} only separates segments, and a NUL is a control character the store
 * refuses, so both are invalid keys, quoted as the client sent them. Other paths keep
 * Tomcat's own report.
 */
class ProblemErrorReportValve extends ErrorReportValve {

	private static final String API = "/api/";

	private static final String[] KEY_PATHS = { "/api/kv/", "/api/list/" };

	ProblemErrorReportValve() {
		setShowReport(false);
		setShowServerInfo(false);
	}

	@Override
	protected void report(Request request, Response response, @Nullable Throwable throwable) {
		String uri = rawUri(request);
		int status = response.getStatus();
		if (status < 400 || uri == null || !uri.startsWith(API) || response.getContentWritten() > 0) {
			super.report(request, response, throwable);
			return;
		}
		if (!response.setErrorReported()) {
			return;
		}
		String key = key(uri);
		String title = (key != null) ? "Invalid key" : "Bad request";
		String detail = (key != null) ? "Invalid key '" + key + "': " + rule(key)
				: "The server refused the request URI '" + uri + "'";
		StringBuilder json = new StringBuilder("{\"type\":\"about:blank\",\"title\":").append(quote(title))
			.append(",\"status\":").append(status).append(",\"detail\":").append(quote(detail))
			.append(",\"instance\":").append(quote(uri));
		if (key != null) {
			json.append(",\"error\":\"InvalidKeyException\",\"key\":").append(quote(key));
		}
		json.append('}');
		try {
			// JSON has no charset parameter; quote() keeps the text ASCII, so any encoding reads it.
			response.setContentType("application/problem+json");
			PrintWriter writer = response.getReporter();
			if (writer != null) {
				writer.write(json.toString());
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// The client is gone or the response already went out: nobody left to tell.
			container.getLogger().debug("Could not write the problem detail for " + uri, ex);
		}
	}

	/** The request URI as it came, still percent-encoded: Tomcat refused to decode it. */
	private static @Nullable String rawUri(Request request) {
		String uri = request.getCoyoteRequest().requestURI().toString();
		if (uri == null) {
			return null;
		}
		int query = uri.indexOf('?');
		return (query >= 0) ? uri.substring(0, query) : uri;
	}

	/** The key after {@code /api/kv/} or {@code /api/list/}, as sent, or {@code null} for another path. */
	private static @Nullable String key(String uri) {
		for (String prefix : KEY_PATHS) {
			if (uri.startsWith(prefix)) {
				return uri.substring(prefix.length());
			}
		}
		return null;
	}

	private static String rule(String key) {
		String upper = key.toUpperCase(Locale.ROOT);
		if (upper.contains("%2F")) {
			return "an encoded '/' (%2F) cannot be part of a segment: '/' only separates segments";
		}
		if (upper.contains("%00")) {
			return "a NUL (%00) is a control character, which keys cannot contain";
		}
		return "the server refused its encoding";
	}

	private static String quote(String text) {
		StringBuilder out = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				default -> {
					if (c < 0x20 || c > 0x7e) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append('"').toString();
	}

}
