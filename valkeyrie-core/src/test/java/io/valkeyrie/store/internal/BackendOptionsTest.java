package io.valkeyrie.store.internal;

import java.time.Duration;
import java.util.List;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Option names, spellings, typed values and the messages of {@link BackendOptions}.
 */
class BackendOptionsTest {

	private static final List<String> NAMES = List.of("history-size", "fsync", "wait", "label", "limit");

	@Test
	void unknownNamesFailListingTheKnownOnes() {
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("colour", "blue")))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("Unknown test option 'colour'; the test options are history-size, fsync, wait, label, limit");
	}

	@Test
	void camelCaseAndSnakeCaseSpellingsNameTheSameOption() {
		assertThat(options(StoreConfig.builder("test").option("historySize", 7)).positiveInt("history-size", 1)).isEqualTo(7);
		assertThat(options(StoreConfig.builder("test").option("history_size", 8)).positiveInt("history-size", 1)).isEqualTo(8);
		assertThat(options(StoreConfig.builder("test").option("history-size", 9)).positiveInt("history-size", 1)).isEqualTo(9);
		assertThat(BackendOptions.canonicalName("grpcKeepAliveTimeout")).isEqualTo("grpc-keep-alive-timeout");
		assertThat(BackendOptions.canonicalName("maxTTL")).isEqualTo("max-ttl");
		assertThat(BackendOptions.canonicalName("session_ttl_min")).isEqualTo("session-ttl-min");
	}

	@Test
	void theLaterSpellingWinsAndIsNamedInMessages() {
		BackendOptions options = options(StoreConfig.builder("test").option("history-size", 10000).option("historySize", "x"));
		assertThatThrownBy(() -> options.positiveInt("history-size", 1)).isInstanceOf(StoreConfigurationException.class)
			.hasMessage("test option 'historySize' must be a positive whole number, was 'x'");
		assertThat(options(StoreConfig.builder("test").option("historySize", 5).option("history-size", 6))
			.positiveInt("history-size", 1)).isEqualTo(6);
	}

	@Test
	void knownNamesMustBeKebabCase() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new BackendOptions(StoreConfig.builder("test").build(), "test", List.of("historySize")));
		BackendOptions options = options(StoreConfig.builder("test"));
		assertThatIllegalArgumentException().isThrownBy(() -> options.string("colour"));
	}

	@Test
	void blankValuesAreAbsent() {
		BackendOptions options = options(StoreConfig.builder("test").option("label", "  ").option("limit", "")
			.option("fsync", " ").option("wait", ""));
		assertThat(options.string("label")).isNull();
		assertThat(options.string("label", "fallback")).isEqualTo("fallback");
		assertThat(options.isSet("label")).isFalse();
		assertThat(options.positiveInt("limit", 3)).isEqualTo(3);
		assertThat(options.bool("fsync", true)).isTrue();
		assertThat(options.duration("wait", Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(4));
		assertThat(options.optionalDuration("wait", Duration.ZERO, null)).isNull();
		assertThat(options(StoreConfig.builder("test").option("label", " x ")).string("label")).isEqualTo("x");
	}

	@Test
	void booleansAreTrueOrFalseInAnyCase() {
		assertThat(options(StoreConfig.builder("test").option("fsync", "TRUE")).bool("fsync", false)).isTrue();
		assertThat(options(StoreConfig.builder("test").option("fsync", "false")).bool("fsync", true)).isFalse();
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("fsync", "yes")).bool("fsync", false))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("test option 'fsync' must be true or false, was 'yes'");
	}

	@Test
	void wholeNumbersAreCheckedAgainstTheirBounds() {
		assertThat(options(StoreConfig.builder("test").option("limit", " 12 ")).positiveLong("limit", 1)).isEqualTo(12);
		assertThat(options(StoreConfig.builder("test").option("limit", "0")).intValue("limit", 5, 0, 10)).isZero();
		assertThat(options(StoreConfig.builder("test")).optionalInt("limit", 0, 10)).isNull();
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("limit", "0")).positiveInt("limit", 1))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("test option 'limit' must be a positive whole number, was '0'");
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("limit", "11")).intValue("limit", 5, 0, 10))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("test option 'limit' must be a whole number from 0 to 10, was '11'");
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("limit", "3000000000")).positiveInt("limit", 1))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("was '3000000000'");
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("limit", "1.5")).positiveLong("limit", 1))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("was '1.5'");
	}

	@Test
	void durationsAreFormattedInSpringBootsStyle() {
		assertThat(BackendOptions.format(Duration.ofSeconds(2))).isEqualTo("2s");
		assertThat(BackendOptions.format(Duration.ofMillis(500))).isEqualTo("500ms");
		assertThat(BackendOptions.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
		assertThat(BackendOptions.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
		assertThat(BackendOptions.format(Duration.ofHours(1))).isEqualTo("1h");
		assertThat(BackendOptions.format(Duration.ZERO)).isEqualTo("0s");
		for (String text : List.of("500ms", "2s", "1.5s", "1m30s", "250us")) {
			Duration duration = BackendOptions.parseDuration(text);
			assertThat(BackendOptions.parseDuration(BackendOptions.format(duration))).isEqualTo(duration);
		}
	}

	@Test
	void durationsTakeUnitsGoCompoundsAndIsoForms() {
		assertThat(BackendOptions.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
		assertThat(BackendOptions.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
		assertThat(BackendOptions.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
		assertThat(BackendOptions.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
		assertThat(BackendOptions.parseDuration("1m30s")).isEqualTo(Duration.ofSeconds(90));
		assertThat(BackendOptions.parseDuration("1h0m0s")).isEqualTo(Duration.ofHours(1));
		assertThat(BackendOptions.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
		assertThat(BackendOptions.parseDuration("250us")).isEqualTo(Duration.ofNanos(250_000));
		assertThat(BackendOptions.parseDuration("3ns")).isEqualTo(Duration.ofNanos(3));
		assertThat(BackendOptions.parseDuration("0s")).isEqualTo(Duration.ZERO);
		assertThat(BackendOptions.parseDuration("PT10S")).isEqualTo(Duration.ofSeconds(10));
		assertThat(BackendOptions.parseDuration(" pt0.25s ")).isEqualTo(Duration.ofMillis(250));
	}

	@ParameterizedTest
	@ValueSource(strings = { "15", "0", "soon", "5 s", "s", "1x", "10s5", "-1s", "P", "PT", "99999999999999h" })
	void aBareNumberOrOtherTextIsNotADuration(String text) {
		assertThat(BackendOptions.parseDuration(text)).isNull();
	}

	@Test
	void durationsAreCheckedAgainstTheirBounds() {
		assertThat(options(StoreConfig.builder("test").option("wait", "0s")).duration("wait", Duration.ofSeconds(1),
				Duration.ZERO, null)).isZero();
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("wait", "10")).duration("wait", Duration.ofSeconds(1)))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("test option 'wait' must be a positive duration such as 500ms, 10s, 1m30s or PT10S, was '10'");
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("wait", "0s")).duration("wait", Duration.ofSeconds(1)))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("was '0s'");
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("wait", "11m")).duration("wait",
				Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMinutes(10)))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("test option 'wait' must be a duration from 1s to 10m such as 500ms, 10s, 1m30s or PT10S, was '11m'");
		assertThatThrownBy(() -> options(StoreConfig.builder("test").option("wait", "-PT1S")).optionalDuration("wait",
				Duration.ZERO, null))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("test option 'wait' must be a duration of zero or more such as 500ms, 10s, 1m30s or PT10S, was '-PT1S'");
	}

	@Test
	void invalidNamesTheOptionAndItsValue() {
		BackendOptions options = options(StoreConfig.builder("test").option("label", "{x}"));
		assertThat(options.invalid("label", "free of braces")).isInstanceOf(StoreConfigurationException.class)
			.hasMessage("test option 'label' must be free of braces, was '{x}'");
	}

	private static BackendOptions options(StoreConfig.Builder config) {
		return new BackendOptions(config.build(), "test", NAMES);
	}

}
