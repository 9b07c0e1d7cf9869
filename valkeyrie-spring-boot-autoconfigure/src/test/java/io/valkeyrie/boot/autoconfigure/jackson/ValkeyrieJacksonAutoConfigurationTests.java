package io.valkeyrie.boot.autoconfigure.jackson;

import java.nio.charset.StandardCharsets;

import io.valkeyrie.store.KVPair;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's own {@code JsonMapper} writes and reads a {@code KVPair} once the module's
 * auto-configuration is present.
 */
class ValkeyrieJacksonAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, ValkeyrieJacksonAutoConfiguration.class));

	@Test
	void textValueIsWrittenAsText() {
		this.contextRunner.run((context) -> {
			JsonMapper mapper = context.getBean(JsonMapper.class);
			KVPair pair = KVPair.of("config/feature", "on\tü\n".getBytes(StandardCharsets.UTF_8), 7);
			String json = mapper.writeValueAsString(pair);
			assertThat(json).isEqualTo("{\"key\":\"config/feature\",\"value\":\"on\\tü\\n\",\"lastIndex\":7}");
			assertThat(mapper.readValue(json, KVPair.class)).isEqualTo(pair);
		});
	}

	@Test
	void binaryValueIsWrittenInBase64() {
		this.contextRunner.run((context) -> {
			JsonMapper mapper = context.getBean(JsonMapper.class);
			KVPair notUtf8 = KVPair.of("blob", new byte[] { (byte) 0xff, 0, 1 }, 3);
			KVPair control = KVPair.of("bell", new byte[] { 'a', 7 }, 4);
			assertThat(mapper.writeValueAsString(notUtf8)).isEqualTo("{\"key\":\"blob\",\"valueBase64\":\"/wAB\",\"lastIndex\":3}");
			assertThat(mapper.writeValueAsString(control)).contains("\"valueBase64\":\"YQc=\"");
			assertThat(mapper.readValue(mapper.writeValueAsString(notUtf8), KVPair.class)).isEqualTo(notUtf8);
		});
	}

	@Test
	void withoutTheModuleAKVPairIsAnEmptyObject() {
		// What an application got before: Jackson sees no properties on KVPair.
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
			.run((context) -> assertThat(context.getBean(JsonMapper.class)
				.writeValueAsString(KVPair.of("a", new byte[0], 1))).isNotEqualTo("{\"key\":\"a\",\"value\":\"\",\"lastIndex\":1}"));
	}

}
