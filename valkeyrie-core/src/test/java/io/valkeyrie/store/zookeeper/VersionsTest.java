package io.valkeyrie.store.zookeeper;

import java.time.Duration;

import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A compare-and-swap skips its read only with the version of exactly the write it compares
 * with, seen within the freshness bound.
 */
class VersionsTest {

	@Test
	void knowsTheVersionOfTheLastSeenWriteOnlyWhileFresh() {
		Versions versions = new Versions(Duration.ofSeconds(2).toNanos());
		versions.saw("k", stat(42, 7));
		assertThat(versions.versionAt("k", 42)).isEqualTo(7);
		assertThat(versions.versionAt("k", 41)).isNull();
		assertThat(versions.versionAt("other", 42)).isNull();
		versions.saw("k", stat(50, 8));
		assertThat(versions.versionAt("k", 42)).isNull();
		assertThat(versions.versionAt("k", 50)).isEqualTo(8);
		versions.forget("k");
		assertThat(versions.versionAt("k", 50)).isNull();
		versions.saw("k", stat(60, 9));
		await().atMost(Duration.ofSeconds(10)).until(() -> versions.versionAt("k", 60) == null);
	}

	private static Stat stat(long mzxid, int version) {
		Stat stat = new Stat();
		stat.setMzxid(mzxid);
		stat.setVersion(version);
		return stat;
	}

}
