package demo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.WriteOptions;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

// The endpoints and the namespace come from the environment (VALKEYRIE_<BACKEND>_ENDPOINTS,
// VALKEYRIE_NAMESPACE), as in a deployed application.
@SpringBootTest
class DemoApplicationTests {

	@Autowired
	Store store;

	@Test
	void storesAndReadsBackOnItsBackend() {
		assertThat(this.store.backend()).isEqualTo("@BACKEND@");
		this.store.put("greeting", "hello");
		assertThat(this.store.get("greeting").valueAsString()).isEqualTo("hello");
	}

	@Test
	void theGettingStartedTtlWorksOnItsBackend() {
		// docs/getting-started.md: a one-minute TTL, which every backend's minimum allows.
		this.store.put("features/trial", "on".getBytes(StandardCharsets.UTF_8), WriteOptions.ttl(Duration.ofMinutes(1)));
		assertThat(this.store.exists("features/trial")).isTrue();
		assertThat(this.store.minimumTtl()).isLessThanOrEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void getsTheGuavaValkeyrieIsTestedWith() throws Exception {
		String expected = "@GUAVA_VERSION@";
		if (!expected.isEmpty()) {
			String jar = Class.forName("com.google.common.collect.ImmutableList")
				.getProtectionDomain()
				.getCodeSource()
				.getLocation()
				.toString();
			assertThat(jar).contains("guava-" + expected + ".jar");
		}
	}

}
