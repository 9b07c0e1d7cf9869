package io.valkeyrie.boot.discovery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.internal.Keys;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.jspecify.annotations.Nullable;

/**
 * The record of one instance: the key {@code <root>/<service-id>/<instance-id>} holding
 * {@code {"host":..,"port":..,"secure":..,"zone":..,"status":..,"metadata":{..}}}.
 */
final class InstanceCodec {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private final String root;

	InstanceCodec(String root) {
		this.root = Keys.dir(root);
	}

	String root() {
		return this.root;
	}

	/**
	 * The key of an instance.
	 * @throws IllegalArgumentException if the service or instance id is not one key segment
	 */
	String key(String serviceId, String instanceId) {
		return Keys.join(this.root, segment("service id", serviceId) + "/" + segment("instance id", instanceId));
	}

	static String segment(String what, String value) {
		if (value.isEmpty() || value.contains("/")) {
			throw new IllegalArgumentException("The " + what + " '" + value
					+ "' must be one key segment: not empty and without '/'");
		}
		try {
			Keys.key(value);
		}
		catch (InvalidKeyException ex) {
			throw new IllegalArgumentException("The " + what + " '" + value + "' is not a valid key segment: "
					+ ex.getMessage(), ex);
		}
		return value;
	}

	/**
	 * The service and instance id of an instance key, or {@code null} for another key below
	 * the root.
	 */
	@Nullable List<String> ids(String key) {
		List<String> segments = Keys.segments(Keys.relativize(this.root, key));
		return (segments.size() == 2) ? segments : null;
	}

	byte[] encode(ValkeyrieServiceInstance instance) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("host", instance.getHost());
		json.put("port", instance.getPort());
		json.put("secure", instance.isSecure());
		if (instance.getZone() != null) {
			json.put("zone", instance.getZone());
		}
		json.put("status", instance.getStatus());
		Map<String, String> metadata = new LinkedHashMap<>(instance.getMetadata());
		if (instance.getZone() != null && instance.getZone().equals(metadata.get("zone"))) {
			metadata.remove("zone");
		}
		json.put("metadata", metadata);
		return MAPPER.writeValueAsBytes(json);
	}

	/**
	 * The instance a key below the root holds, or {@code null} if the key is not an
	 * instance key ({@code <root>/<service>/<instance>}).
	 * @throws IllegalArgumentException if the value is not an instance record
	 */
	@Nullable ValkeyrieServiceInstance decode(String key, byte[] value) {
		List<String> segments = ids(key);
		if (segments == null) {
			return null;
		}
		Map<?, ?> json;
		try {
			json = MAPPER.readValue(value, Map.class);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("The value of '" + key + "' is not JSON: " + ex.getOriginalMessage(), ex);
		}
		Object host = json.get("host");
		Object port = json.get("port");
		if (!(host instanceof String hostName) || !(port instanceof Number portNumber)) {
			throw new IllegalArgumentException("The value of '" + key + "' lacks a string 'host' and a numeric 'port'");
		}
		Map<String, String> metadata = new LinkedHashMap<>();
		if (json.get("metadata") instanceof Map<?, ?> entries) {
			entries.forEach((name, entry) -> metadata.put(String.valueOf(name), String.valueOf(entry)));
		}
		Object status = json.get("status");
		return new ValkeyrieServiceInstance(segments.get(0), segments.get(1), hostName, portNumber.intValue(),
				Boolean.TRUE.equals(json.get("secure")), (json.get("zone") instanceof String zone) ? zone : null,
				(status instanceof String text) ? text : ValkeyrieServiceInstance.UP, metadata);
	}

}
