package io.valkeyrie.benchmarks.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Raw Consul HTTP API on the consul backend's own HTTP client and JSON library (Apache
 * HttpClient 5, Jackson 3): {@code GET /v1/kv/<key>?consistent} (JSON, for the
 * ModifyIndex; {@code consistent} because the store's default read is linearizable), a
 * plain {@code PUT}, a {@code /v1/txn} {@code cas} (one round trip that returns the new
 * ModifyIndex, as a CAS returning the new version needs) and
 * {@code GET ?recurse&consistent}.
 */
final class ConsulHttpKv implements Kv {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ConsulHttp http = new ConsulHttp();

	private final String prefix;

	ConsulHttpKv(String namespace) {
		this.prefix = namespace + "/";
	}

	private String kv(String key) {
		return "/v1/kv/" + this.prefix + key;
	}

	@Override
	public Object get(String key) {
		JsonNode node = json(expect(this.http.get(kv(key) + "?consistent"), key));
		return Base64.getDecoder().decode(node.get(0).get("Value").asString());
	}

	@Override
	public void put(String key, byte[] value) {
		ConsulHttp.Answer answer = expect(this.http.put(kv(key), value), key);
		if (!answer.text().trim().equals("true")) {
			throw new IllegalStateException("PUT " + key + " answered " + answer.text());
		}
	}

	@Override
	public Object create(String key, byte[] value) {
		put(key, value);
		return json(expect(this.http.get(kv(key)), key)).get(0).get("ModifyIndex").asLong();
	}

	@Override
	public Object atomicPut(String key, byte[] value, Object previous) {
		String body = "[{\"KV\":{\"Verb\":\"cas\",\"Key\":\"" + this.prefix + key + "\",\"Value\":\""
				+ Base64.getEncoder().encodeToString(value) + "\",\"Index\":" + previous + "}}]";
		JsonNode answer = json(expect(this.http.put("/v1/txn", body.getBytes(StandardCharsets.UTF_8)), key));
		return answer.get("Results").get(0).get("KV").get("ModifyIndex").asLong();
	}

	@Override
	public int list(String dir) {
		JsonNode nodes = json(expect(this.http.get(kv(dir + "/") + "?recurse&consistent"), dir));
		List<Map.Entry<String, byte[]>> pairs = new ArrayList<>();
		for (JsonNode node : nodes) {
			JsonNode value = node.get("Value");
			pairs.add(Map.entry(node.get("Key").asString().substring(this.prefix.length()),
					(value != null && !value.isNull()) ? Base64.getDecoder().decode(value.asString()) : new byte[0]));
		}
		return pairs.size();
	}

	@Override
	public void close() {
		this.http.close();
	}

	private static ConsulHttp.Answer expect(ConsulHttp.Answer answer, String key) {
		if (answer.status() != 200) {
			throw new IllegalStateException("Consul answered " + answer.status() + " for " + key + ": " + answer.text());
		}
		return answer;
	}

	private static JsonNode json(ConsulHttp.Answer answer) {
		return JSON.readTree(answer.body());
	}

}
