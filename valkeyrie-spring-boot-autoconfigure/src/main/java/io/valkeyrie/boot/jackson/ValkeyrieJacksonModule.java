package io.valkeyrie.boot.jackson;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.valkeyrie.store.KVPair;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Jackson 3 module for {@link KVPair}: {@code {"key": "a/b", "value": "on", "lastIndex": 7}}.
 * A value is written as text under {@code value} when its bytes are valid UTF-8 with no
 * control characters other than tab, line feed and carriage return; any other value is
 * written in base64 under {@code valueBase64} instead, so every value round-trips exactly.
 * Reading accepts either property.
 */
public class ValkeyrieJacksonModule extends SimpleModule {

	private static final long serialVersionUID = 1L;

	public ValkeyrieJacksonModule() {
		super("valkeyrie");
		addSerializer(KVPair.class, new KVPairSerializer());
		addDeserializer(KVPair.class, new KVPairDeserializer());
	}

	/** The value as text, or {@code null} when it must be written in base64. */
	static @Nullable String asText(byte[] value) {
		String text;
		try {
			text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(value))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return null; // not UTF-8: base64
		}
		boolean printable = text.chars().allMatch((c) -> !Character.isISOControl(c) || c == '\t' || c == '\n' || c == '\r');
		return printable ? text : null;
	}

	private static final class KVPairSerializer extends ValueSerializer<KVPair> {

		@Override
		public void serialize(KVPair pair, JsonGenerator generator, SerializationContext context) {
			generator.writeStartObject();
			generator.writeStringProperty("key", pair.key());
			byte[] value = pair.value();
			String text = asText(value);
			if (text != null) {
				generator.writeStringProperty("value", text);
			}
			else {
				generator.writeStringProperty("valueBase64", Base64.getEncoder().encodeToString(value));
			}
			generator.writeNumberProperty("lastIndex", pair.lastIndex());
			generator.writeEndObject();
		}

	}

	private static final class KVPairDeserializer extends ValueDeserializer<KVPair> {

		@Override
		public KVPair deserialize(JsonParser parser, DeserializationContext context) {
			JsonNode node = context.readTree(parser);
			JsonNode key = node.get("key");
			JsonNode lastIndex = node.get("lastIndex");
			if (key == null || lastIndex == null) {
				return context.reportInputMismatch(KVPair.class, "A KVPair needs 'key' and 'lastIndex'");
			}
			byte[] value;
			if (node.hasNonNull("valueBase64")) {
				value = Base64.getDecoder().decode(node.get("valueBase64").asString());
			}
			else {
				JsonNode text = node.get("value");
				value = (text != null) ? text.asString().getBytes(StandardCharsets.UTF_8) : new byte[0];
			}
			return KVPair.of(key.asString(), value, lastIndex.asLong());
		}

	}

}
