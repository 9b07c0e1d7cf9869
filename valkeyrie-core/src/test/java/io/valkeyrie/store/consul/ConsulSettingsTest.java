package io.valkeyrie.store.consul;

import java.time.Duration;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Option parsing and key encoding, without an agent.
 */
class ConsulSettingsTest {

	@Test
	void optionsAreReadWithTheirKebabCamelAndSnakeNames() {
		ConsulSettings settings = ConsulSettings.of(StoreConfig.builder("consul").option("lockDelay", "0s")
			.option("session_ttl_min", "1m30s").option("watch-wait", "PT2M").option("changeLog", "FALSE").build());
		assertThat(settings.lockDelay()).isZero();
		assertThat(settings.sessionTtlMin()).isEqualTo(Duration.ofSeconds(90));
		assertThat(settings.watchWait()).isEqualTo(Duration.ofMinutes(2));
		assertThat(settings.changeLog()).isFalse();
		assertThatThrownBy(() -> ConsulSettings.of(StoreConfig.builder("consul").option("lock-delay", "15").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("consul option 'lock-delay' must be a duration of zero or more such as 500ms, 10s, 1m30s or PT10S, was '15'");
		assertThatThrownBy(() -> ConsulSettings.of(StoreConfig.builder("consul").option("watch-wait", "11m").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("from 1s to 10m");
		assertThatThrownBy(() -> ConsulSettings.of(StoreConfig.builder("consul").option("consistency", "eventual").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessage("consul option 'consistency' must be 'consistent' or 'default', was 'eventual'");
	}

	@Test
	void defaultsAndEndpoints() {
		ConsulSettings settings = ConsulSettings.of(StoreConfig.builder("consul").endpoints("10.0.0.1:8500", "https://c:8501").build());
		assertThat(settings.endpoints()).extracting(Object::toString).containsExactly("http://10.0.0.1:8500", "https://c:8501");
		assertThat(settings.lockDelay()).isEqualTo(Duration.ofSeconds(15));
		assertThat(settings.consistentReads()).isTrue();
		assertThat(settings.changeLog()).isTrue();
		assertThat(settings.bookkeepingPrefix()).isEqualTo("_valkeyrie");
		assertThat(settings.sessionTtlMin()).isNull();
	}

	@Test
	void aNamespaceInsideTheBookkeepingPrefixIsRefused() {
		assertThatThrownBy(() -> ConsulSettings.of(StoreConfig.builder("consul").namespace("_valkeyrie/x").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("bookkeeping-prefix");
		assertThatThrownBy(() -> ConsulSettings.of(StoreConfig.builder("consul").endpoints("ftp://x:1").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("ftp://x:1");
	}

	@Test
	void agentSettingsAreReadAsText() {
		byte[] self = "{\"DebugConfig\":{\"TxnMaxReqLen\":524288,\"SessionTTLMin\":\"1s\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
		assertThat(ConsulJson.agentSetting(self, "DebugConfig", "TxnMaxReqLen")).isEqualTo("524288");
		assertThat(ConsulJson.agentSetting(self, "DebugConfig", "SessionTTLMin")).isEqualTo("1s");
		assertThat(ConsulJson.agentSetting(self, "DebugConfig", "Missing")).isNull();
	}

	@Test
	void onlyTaggedFlagsAreExpiryTimes() {
		long expiry = 1_800_000_000_000L;
		ConsulEntry ttl = new ConsulEntry("k", new byte[0], ConsulEntry.ttlFlags(expiry), 1, null);
		assertThat(ttl.expiryMillis()).isEqualTo(expiry);
		assertThat(ttl.expired(expiry - 1)).isFalse();
		assertThat(ttl.expired(expiry)).isTrue();
		ConsulEntry foreign = new ConsulEntry("k", new byte[0], 42, 1, null);
		assertThat(foreign.expiryMillis()).isZero();
		assertThat(foreign.expired(Long.MAX_VALUE)).isFalse();
		ConsulEntry permanent = new ConsulEntry("k", new byte[0], ConsulEntry.writeFlags(expiry), 1, null);
		assertThat(permanent.expiryMillis()).isZero();
		assertThat(permanent.expired(Long.MAX_VALUE)).isFalse();
		assertThat(ConsulEntry.writeFlags(-1)).isNotEqualTo(ConsulEntry.writeFlags(-2)).isNotEqualTo(ConsulEntry.ttlFlags(expiry));
	}

	@Test
	void keysArePercentEncodedPerSegment() {
		assertThat(ConsulHttp.kvPath("ns/a b/c?d#e%f/ä*")).isEqualTo("kv/ns/a%20b/c%3Fd%23e%25f/%C3%A4%2A");
		assertThat(ConsulHttp.kvPath("ns/dir/")).isEqualTo("kv/ns/dir/");
		assertThat(ConsulHttp.kvPath("")).isEqualTo("kv/");
	}

}
