package io.valkeyrie.store.consul;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.valkeyrie.store.StoreException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.jspecify.annotations.Nullable;

/**
 * The few JSON documents of Consul's API: KV entries, transactions and sessions.
 */
final class ConsulJson {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private static final byte[] EMPTY = new byte[0];

	private ConsulJson() {
	}

	/** The entries of a KV read ({@code GET /v1/kv/...}). */
	static List<ConsulEntry> entries(byte[] body) {
		List<ConsulEntry> entries = new ArrayList<>();
		try (JsonParser parser = MAPPER.createParser(body)) {
			if (parser.nextToken() == JsonToken.START_ARRAY) {
				while (parser.nextToken() == JsonToken.START_OBJECT) {
					entries.add(entry(parser));
				}
			}
			return entries;
		}
		catch (JacksonException ex) {
			throw unexpected(ex);
		}
	}

	static @Nullable ConsulEntry first(byte[] body) {
		try (JsonParser parser = MAPPER.createParser(body)) {
			if (parser.nextToken() == JsonToken.START_ARRAY && parser.nextToken() == JsonToken.START_OBJECT) {
				return entry(parser);
			}
			return null;
		}
		catch (JacksonException ex) {
			throw unexpected(ex);
		}
	}

	/**
	 * Read one entry object, streaming (reads are on the path of every call): the parser is
	 * at its start and is left at its end.
	 */
	private static ConsulEntry entry(JsonParser parser) {
		String key = "";
		byte[] value = EMPTY;
		long flags = 0;
		long modifyIndex = 0;
		@Nullable String session = null;
		for (String name = parser.nextName(); name != null; name = parser.nextName()) {
			JsonToken token = parser.nextToken();
			if (token == JsonToken.VALUE_NULL) {
				continue;
			}
			switch (name) {
				case "Key" -> key = parser.getString();
				case "Value" -> value = parser.getBinaryValue();
				case "Flags" -> flags = unsignedLong(parser);
				case "ModifyIndex" -> modifyIndex = unsignedLong(parser);
				case "Session" -> session = parser.getString().isEmpty() ? null : parser.getString();
				default -> parser.skipChildren();
			}
		}
		return new ConsulEntry(key, value, flags, modifyIndex, session);
	}

	/** A uint64 of Consul's as a long (two's complement above Long.MAX_VALUE, like Go's conversion). */
	private static long unsignedLong(JsonParser parser) {
		return (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) ? parser.getBigIntegerValue().longValue()
				: parser.getLongValue();
	}

	private static StoreException unexpected(JacksonException ex) {
		return new StoreException("consul sent an answer that is not the expected JSON: " + ex.getOriginalMessage(), ex);
	}

	/** The key names of a {@code ?keys} read, as entries without value or index. */
	static List<ConsulEntry> keyNames(byte[] body) {
		JsonNode root = read(body);
		List<ConsulEntry> keys = new ArrayList<>(root.size());
		for (JsonNode node : root) {
			keys.add(new ConsulEntry(node.asString(), EMPTY, 0, 0, null));
		}
		return keys;
	}

	/**
	 * A transaction being built: {@code PUT /v1/txn}. Written straight into its JSON text: it
	 * is on the path of every write, where a tree of nodes cost measurable time.
	 */
	static final class Txn {

		private final StringBuilder json = new StringBuilder(256).append('[');

		private int size;

		/** The position of the first change-log record, or -1. */
		private int logStart = -1;

		/** The position of the check of the watch registry, or -1. */
		private int registryCheck = -1;

		/** The registry view the check compares with. */
		private ConsulWatchRegistry.@Nullable View registryView;

		/** The change-log slot of the transaction's records, once it has one. */
		private @Nullable String logSlot;

		/** The next operations are change-log records. */
		Txn markLog() {
			if (this.logStart < 0) {
				this.logStart = this.size;
			}
			return this;
		}

		/** The change-log slot the transaction's records go to, {@code null} before its first record. */
		@Nullable String logSlot() {
			return this.logSlot;
		}

		void logSlot(String slot) {
			this.logSlot = slot;
		}

		/** Whether the operation at {@code index} is a change-log record. */
		boolean isLog(int index) {
			return this.logStart >= 0 && index >= this.logStart;
		}

		/**
		 * Make the transaction fail unless the watch registry is still as {@code view} saw it
		 * (once per transaction): nobody started watching since, so an unlogged change is
		 * missed by no watcher.
		 */
		Txn checkRegistry(ConsulWatchRegistry.View view) {
			if (this.registryCheck < 0) {
				this.registryCheck = this.size;
				this.registryView = view;
				if (view.generation() == 0) {
					op("check-not-exists", view.generationKey());
				}
				else {
					checkIndex(view.generationKey(), view.generation());
				}
			}
			return this;
		}

		/** The registry view the transaction checked, if its operation at {@code index} is that check. */
		ConsulWatchRegistry.@Nullable View registryCheckAt(int index) {
			return (index >= 0 && index == this.registryCheck) ? this.registryView : null;
		}

		Txn op(String verb, String key) {
			kv(verb, key);
			return end();
		}

		Txn checkIndex(String key, long index) {
			kv("check-index", key).append(",\"Index\":").append(index);
			return end();
		}

		Txn checkSession(String key, String session) {
			string(kv("check-session", key).append(",\"Session\":"), session);
			return end();
		}

		Txn set(String key, byte[] value, long flags, @Nullable String session) {
			StringBuilder kv = kv((session != null) ? "lock" : "set", key);
			kv.append(",\"Value\":\"").append(Base64.getEncoder().encodeToString(value)).append("\",\"Flags\":")
				.append(Long.toUnsignedString(flags));
			if (session != null) {
				string(kv.append(",\"Session\":"), session);
			}
			return end();
		}

		int size() {
			return this.size;
		}

		private StringBuilder kv(String verb, String key) {
			if (this.size++ > 0) {
				this.json.append(',');
			}
			return string(this.json.append("{\"KV\":{\"Verb\":\"").append(verb).append("\",\"Key\":"), key);
		}

		private Txn end() {
			this.json.append("}}");
			return this;
		}

		private static StringBuilder string(StringBuilder out, String text) {
			out.append('"');
			JsonStringEncoder.getInstance().quoteAsString(text, out);
			return out.append('"');
		}

		byte[] toBytes() {
			return (this.json.toString() + "]").getBytes(StandardCharsets.UTF_8);
		}

	}

	/**
	 * The outcome of a transaction: the KV results of a committed one, or the first error of a
	 * rolled back one.
	 */
	record TxnResult(List<ConsulEntry> results, @Nullable String error, int errorOp) {

		boolean committed() {
			return this.error == null;
		}

		@Nullable ConsulEntry last() {
			return this.results.isEmpty() ? null : this.results.get(this.results.size() - 1);
		}

		/**
		 * The last result for {@code key}: its state after the transaction (checks return the
		 * state before, and the change-log records come along too).
		 */
		@Nullable ConsulEntry entry(String key) {
			for (int i = this.results.size() - 1; i >= 0; i--) {
				if (this.results.get(i).key().equals(key)) {
					return this.results.get(i);
				}
			}
			return null;
		}

	}

	static TxnResult txnResult(byte[] body) {
		List<ConsulEntry> results = new ArrayList<>();
		String error = null;
		int errorOp = -1;
		try (JsonParser parser = MAPPER.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new StoreException("consul answered a transaction with " + new String(body, StandardCharsets.UTF_8));
			}
			for (String name = parser.nextName(); name != null; name = parser.nextName()) {
				JsonToken token = parser.nextToken();
				if (name.equals("Results") && token == JsonToken.START_ARRAY) {
					while (parser.nextToken() == JsonToken.START_OBJECT) {
						for (String kind = parser.nextName(); kind != null; kind = parser.nextName()) {
							if (parser.nextToken() == JsonToken.START_OBJECT && kind.equals("KV")) {
								results.add(entry(parser));
							}
							else {
								parser.skipChildren();
							}
						}
					}
				}
				else if (name.equals("Errors") && token == JsonToken.START_ARRAY) {
					while (parser.nextToken() == JsonToken.START_OBJECT) {
						String what = "";
						int op = 0;
						for (String field = parser.nextName(); field != null; field = parser.nextName()) {
							JsonToken value = parser.nextToken();
							if (field.equals("What") && value == JsonToken.VALUE_STRING) {
								what = parser.getString();
							}
							else if (field.equals("OpIndex") && value == JsonToken.VALUE_NUMBER_INT) {
								op = parser.getIntValue();
							}
							else {
								parser.skipChildren();
							}
						}
						if (error == null) {
							error = what;
							errorOp = op;
						}
					}
				}
				else {
					parser.skipChildren();
				}
			}
		}
		catch (JacksonException ex) {
			throw unexpected(ex);
		}
		return (error != null) ? new TxnResult(List.of(), error, errorOp) : new TxnResult(results, null, -1);
	}

	/** The body of {@code PUT /v1/session/create}. */
	static byte[] session(String name, String ttl, String behavior, String lockDelay) {
		ObjectNode session = MAPPER.createObjectNode();
		session.put("Name", name);
		session.put("TTL", ttl);
		session.put("Behavior", behavior);
		session.put("LockDelay", lockDelay);
		return MAPPER.writeValueAsBytes(session);
	}

	/** Whether a body is an empty JSON array or {@code null} (Consul's "none"). */
	static boolean isEmptyArray(byte[] body) {
		JsonNode node = read(body);
		return node.isNull() || (node.isArray() && node.isEmpty());
	}

	/** The {@code ID} of a created session. */
	static String sessionId(byte[] body) {
		return read(body).path("ID").asString();
	}

	/** A body that is one JSON string, such as the answer of {@code GET /v1/status/leader}. */
	static String text(byte[] body) {
		return read(body).asString();
	}

	/** A value from {@code GET /v1/agent/self}, such as {@code DebugConfig.SessionTTLMin}. */
	static @Nullable String agentSetting(byte[] body, String section, String name) {
		JsonNode node = read(body).path(section).path(name);
		return (node.isMissingNode() || node.isNull()) ? null : node.asString();
	}

	private static JsonNode read(byte[] body) {
		try {
			return MAPPER.readTree(body);
		}
		catch (JacksonException ex) {
			throw unexpected(ex);
		}
	}

}
