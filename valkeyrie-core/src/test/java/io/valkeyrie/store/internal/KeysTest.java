package io.valkeyrie.store.internal;

import java.util.List;

import io.valkeyrie.store.InvalidKeyException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeysTest {

	@Test
	void normalFormDropsOneLeadingAndOneTrailingSlash() {
		assertThat(Keys.key("a/b")).isEqualTo("a/b");
		assertThat(Keys.key("/a/b")).isEqualTo("a/b");
		assertThat(Keys.key("a/b/")).isEqualTo("a/b");
		assertThat(Keys.key("/a/b/")).isEqualTo("a/b");
		assertThatThrownBy(() -> Keys.key("//a")).isInstanceOf(InvalidKeyException.class).hasMessageContaining("empty segment");
		assertThatThrownBy(() -> Keys.key("a//")).isInstanceOf(InvalidKeyException.class).hasMessageContaining("empty segment");
	}

	@Test
	void directoriesAndNamespacesAcceptTheRoot() {
		assertThat(Keys.dir("")).isEmpty();
		assertThat(Keys.dir("/")).isEmpty();
		assertThat(Keys.dir("/a/")).isEqualTo("a");
		assertThat(Keys.namespace(null)).isEmpty();
		assertThatThrownBy(() -> Keys.key("/")).isInstanceOf(InvalidKeyException.class).hasMessageContaining("empty");
		assertThatThrownBy(() -> Keys.namespace("a/../b")).isInstanceOf(InvalidKeyException.class);
	}

	@Test
	void dotSegmentsAreRejectedButDotsInsideSegmentsAreNot() {
		assertThat(Keys.key("a/.b/c..")).isEqualTo("a/.b/c..");
		assertThat(Keys.key("...")).isEqualTo("...");
		assertThatThrownBy(() -> Keys.key("a/.")).isInstanceOf(InvalidKeyException.class);
		assertThatThrownBy(() -> Keys.key("../a")).isInstanceOf(InvalidKeyException.class);
	}

	@Test
	void lengthIsCountedInUtf8Bytes() {
		assertThat(Keys.key("🔑".repeat(256))).hasSize(512);
		assertThatThrownBy(() -> Keys.key("🔑".repeat(256) + "x")).isInstanceOf(InvalidKeyException.class)
			.hasMessageContaining("1025 bytes");
		assertThatThrownBy(() -> Keys.key("ab\udc00")).isInstanceOf(InvalidKeyException.class)
			.hasMessageContaining("surrogate");
	}

	@Test
	void messageNamesTheKeyWithControlCharactersEscaped() {
		assertThatThrownBy(() -> Keys.key("bad\u0001key")).isInstanceOf(InvalidKeyException.class)
			.hasMessageContaining("'bad\\u0001key'")
			.hasMessageContaining("U+0001");
	}

	@Test
	void unprintableCharactersAreRejectedNamingTheCodePointAndWhatItIs() {
		assertThatThrownBy(() -> Keys.key("a\ufffeb")).isInstanceOf(InvalidKeyException.class)
			.hasMessageContaining("U+FFFE at position 1 is not a printable character (a Unicode noncharacter)");
		assertThatThrownBy(() -> Keys.key("x/\ud83f\udffe")).hasMessageContaining("U+1FFFE at position 2")
			.hasMessageContaining("noncharacter");
		assertThatThrownBy(() -> Keys.dir("a\u200d")).hasMessageContaining("U+200D")
			.hasMessageContaining("invisible format character");
		assertThatThrownBy(() -> Keys.key("a\u00a0")).hasMessageContaining("space or line separator");
		assertThatThrownBy(() -> Keys.key("\ue000")).hasMessageContaining("private-use");
		assertThatThrownBy(() -> Keys.key("\u0378")).hasMessageContaining("unassigned");
		assertThat(Keys.key("a b/e\u0301/\ud83d\udd11/\u4e2d")).isEqualTo("a b/e\u0301/\ud83d\udd11/\u4e2d");
	}

	@Test
	void pathRelations() {
		assertThat(Keys.isBelow("a/b", "a")).isTrue();
		assertThat(Keys.isBelow("ab", "a")).isFalse();
		assertThat(Keys.isBelow("a", "a")).isFalse();
		assertThat(Keys.isBelow("a", "")).isTrue();
		assertThat(Keys.isAtOrBelow("a", "a")).isTrue();
		assertThat(Keys.childPrefix("a")).isEqualTo("a/");
		assertThat(Keys.childPrefix("")).isEmpty();
		assertThat(Keys.join("ns", "k")).isEqualTo("ns/k");
		assertThat(Keys.join("", "k")).isEqualTo("k");
		assertThat(Keys.relativize("ns", "ns/k/j")).isEqualTo("k/j");
		assertThat(Keys.relativize("", "k")).isEqualTo("k");
		assertThat(Keys.parent("a/b/c")).isEqualTo("a/b");
		assertThat(Keys.parent("a")).isEmpty();
		assertThat(Keys.ancestors("a/b/c")).containsExactly("", "a", "a/b");
		assertThat(Keys.segments("a/b")).containsExactly("a", "b");
		assertThatThrownBy(() -> Keys.relativize("ns", "nsx/k")).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void escapingRoundTripsEveryCharacter() {
		for (String segment : List.of("plain", "a%b", "🔑", "ключ", "a b*c?", "%41", "x%")) {
			String escaped = Keys.escapeSegment(segment, (cp) -> cp < 0x80 && cp != ' ');
			assertThat(escaped).doesNotContain(" ").doesNotContain("🔑");
			assertThat(Keys.unescapeSegment(escaped)).isEqualTo(segment);
		}
		assertThat(Keys.escapeSegment("a%b", (cp) -> true)).isEqualTo("a%25b");
		assertThat(Keys.escapePath("a b/c", (cp) -> cp != ' ')).isEqualTo("a%20b/c");
		assertThat(Keys.unescapePath("a%20b/c")).isEqualTo("a b/c");
	}

}
