package io.valkeyrie.boot.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that {@code docs/configuration.md} lists every property of the generated
 * configuration metadata with its default, and no property the metadata does not have.
 */
class ConfigurationDocumentationTests {

	@Test
	void documentationListsEveryPropertyWithItsDefault() throws IOException {
		JsonNode metadata;
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			metadata = JsonMapper.builder().build().readTree(in);
		}
		String page = Files.readString(Path.of("..", "docs", "configuration.md"));
		String docs = page.substring(page.indexOf("\n## Properties\n"));
		List<String> documented = new ArrayList<>();
		for (String line : docs.lines().toList()) {
			if (line.startsWith("| `valkeyrie.") || line.startsWith("| `management.")) {
				documented.add(line.substring(3, line.indexOf('`', 3)));
			}
		}
		List<String> names = new ArrayList<>();
		for (JsonNode property : metadata.get("properties")) {
			String name = property.get("name").asString();
			names.add(name);
			assertThat(property.has("description")).as("description of %s", name).isTrue();
			String row = docs.lines()
				.filter((line) -> line.startsWith("| `" + name + "` |"))
				.findFirst()
				.orElseThrow(() -> new AssertionError(name + " is not documented in docs/configuration.md"));
			assertThat(row).as("default of %s", name).contains(" | " + expectedDefault(property.get("defaultValue")) + " | ");
		}
		assertThat(documented).containsExactlyInAnyOrderElementsOf(names);
	}

	private static String expectedDefault(JsonNode value) {
		if (value == null || value.isNull()) {
			return "(none)";
		}
		if (value.isArray()) {
			List<String> items = new ArrayList<>();
			value.forEach((item) -> items.add(item.asString()));
			return "`" + String.join(",", items) + "`";
		}
		String text = value.asString();
		return text.isEmpty() ? "`\"\"`" : "`" + text + "`";
	}

}
