package io.valkeyrie.store;

import io.valkeyrie.store.spi.AbstractStoreProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoresTest {

	@Test
	void everyBackendHasAProvider() {
		assertThat(Stores.providers()).containsOnlyKeys("consul", "etcd", "local", "redis", "zookeeper");
	}

	@Test
	void unknownBackendListsTheBackendsOnTheClasspath() {
		assertThatThrownBy(() -> Stores.open(StoreConfig.builder("mongo").build()))
			.isInstanceOf(StoreConfigurationException.class)
			.hasMessageContaining("Unknown valkeyrie backend 'mongo'")
			.hasMessageContaining("consul, etcd, local, redis, zookeeper");
	}

	@Test
	void missingClientLibraryNamesTheDependencyToAdd() {
		AbstractStoreProvider provider = new AbstractStoreProvider("fake", "com.example:fake-client", "com.example.NoSuchClient") {
			@Override
			public Store open(StoreConfig config) {
				throw new AssertionError("must not be reached");
			}
		};
		assertThat(provider.missingDependency()).isEqualTo("com.example:fake-client");
		assertThat(Stores.provider("local").missingDependency()).isNull();
	}

	@Test
	void configNeverShowsCredentials() {
		StoreConfig config = StoreConfig.builder("etcd").credentials("me", "pa55word").token("acl-token").build();
		assertThat(config.toString()).contains("me").doesNotContain("pa55word").doesNotContain("acl-token");
		assertThat(config.password()).isEqualTo("pa55word");
	}

	@Test
	void configRejectsBadValuesWithTheirName() {
		assertThatThrownBy(() -> StoreConfig.builder("local").maxValueSize(0)).hasMessageContaining("maxValueSize");
		assertThatThrownBy(() -> StoreConfig.builder("local").requestTimeout(java.time.Duration.ZERO))
			.hasMessageContaining("requestTimeout");
		assertThatThrownBy(() -> StoreConfig.builder("local").namespace("a//b")).isInstanceOf(InvalidKeyException.class);
		assertThat(StoreConfig.builder("local").namespace("/app/").build().namespace()).isEqualTo("app");
	}

	@Test
	void writeOptionsRejectKeepAliveWithoutTtl() {
		assertThatThrownBy(() -> new WriteOptions(null, true)).hasMessageContaining("keepAlive");
		assertThatThrownBy(() -> WriteOptions.ttl(java.time.Duration.ZERO)).hasMessageContaining("ttl");
	}

}
