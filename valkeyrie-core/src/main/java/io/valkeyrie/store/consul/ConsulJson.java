package io.valkeyrie.store.consul;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.valkeyrie.store.StoreException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
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
		JsonNode root = read(body);
		List<ConsulEntry> entries = new ArrayList<>(root.size());
		for (JsonNode node : root) {
			entries.add(entry(node));
		}
		return entries;
	}

	static @Nullable ConsulEntry first(byte[] body) {
		JsonNode root = read(body);
		return (root.size() > 0) ? entry(root.get(0)) : null;
	}

	private static ConsulEntry entry(JsonNode node) {
		JsonNode value = node.get("Value");
		JsonNode session = node.get("Session");
		return new ConsulEntry(node.get("Key").asString(),
				(value == null || value.isNull()) ? EMPTY : Base64.getDecoder().decode(value.asString()),
				node.path("Flags").asLong(), node.path("ModifyIndex").asLong(),
				(session == null || session.isNull() || session.asString().isEmpty()) ? null : session.asString());
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

	/** A transaction being built: {@code PUT /v1/txn}. */
	static final class Txn {

		private final ArrayNode ops = MAPPER.createArrayNode();

		/** The position of the first change-log record, or -1. */
		private int logStart = -1;

		/** The position of the check of the watch registry, or -1. */
		private int registryCheck = -1;

		/** The registry view the check compares with. */
		private ConsulWatchRegistry.@Nullable View registryView;

		/** The next operations are change-log records. */
		Txn markLog() {
			if (this.logStart < 0) {
				this.logStart = this.ops.size();
			}
			return this;
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
				this.registryCheck = this.ops.size();
				this.registryView = view;
				if (view.generation() == 0) {
					kv("check-not-exists", view.generationKey());
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
			return this;
		}

		Txn checkIndex(String key, long index) {
			kv("check-index", key).put("Index", index);
			return this;
		}

		Txn checkSession(String key, String session) {
			kv("check-session", key).put("Session", session);
			return this;
		}

		Txn set(String key, byte[] value, long flags, @Nullable String session) {
			ObjectNode kv = kv((session != null) ? "lock" : "set", key);
			kv.put("Value", Base64.getEncoder().encodeToString(value));
			kv.put("Flags", flags);
			if (session != null) {
				kv.put("Session", session);
			}
			return this;
		}

		int size() {
			return this.ops.size();
		}

		private ObjectNode kv(String verb, String key) {
			ObjectNode kv = this.ops.addObject().putObject("KV");
			kv.put("Verb", verb);
			kv.put("Key", key);
			return kv;
		}

		byte[] toBytes() {
			return MAPPER.writeValueAsBytes(this.ops);
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
		JsonNode root = read(body);
		JsonNode errors = root.get("Errors");
		if (errors != null && errors.isArray() && errors.size() > 0) {
			JsonNode error = errors.get(0);
			return new TxnResult(List.of(), error.path("What").asString(), error.path("OpIndex").asInt());
		}
		List<ConsulEntry> results = new ArrayList<>();
		JsonNode list = root.get("Results");
		if (list != null && list.isArray()) {
			for (JsonNode result : list) {
				JsonNode kv = result.get("KV");
				if (kv != null && !kv.isNull()) {
					results.add(entry(kv));
				}
			}
		}
		return new TxnResult(results, null, -1);
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
			throw new StoreException("consul sent an answer that is not the expected JSON: " + ex.getOriginalMessage(), ex);
		}
	}

}
