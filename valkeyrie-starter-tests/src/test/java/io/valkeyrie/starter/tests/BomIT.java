package io.valkeyrie.starter.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * valkeyrie-bom has no parent (an import would bring the parent's whole dependency
 * management), so it repeats the versions the build pins; they must not drift apart.
 */
class BomIT {

	@ParameterizedTest
	@ValueSource(strings = { "jetcd", "guava", "curator", "h2" })
	void pinsWhatTheBuildIsTestedWith(String library) throws IOException {
		String bom = Files.readString(Path.of(System.getProperty("valkeyrie.root"), "valkeyrie-bom", "pom.xml"));
		Matcher matcher = Pattern.compile("<" + Pattern.quote(library + ".version") + ">([^<]+)<").matcher(bom);
		assertThat(matcher.find()).as("valkeyrie-bom sets %s.version", library).isTrue();
		assertThat(matcher.group(1)).isEqualTo(System.getProperty("expected." + library + ".version"));
	}

}
