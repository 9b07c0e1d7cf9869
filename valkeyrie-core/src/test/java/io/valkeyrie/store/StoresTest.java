package io.valkeyrie.store;

import io.valkeyrie.store.spi.AbstractStoreProvider;
import io.valkeyrie.store.test.SecretForm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

	@ParameterizedTest
	@EnumSource(SecretForm.class)
	void configNeverShowsCredentials(SecretForm form) {
		StoreConfig config = form.token(form.credentials(StoreConfig.builder("etcd"), "me", "pa55word"), "acl-token").build();
		assertThat(config.toString()).contains("me").doesNotContain("pa55word").doesNotContain("acl-token");
		assertThat(config.toBuilder().build().toString()).doesNotContain("pa55word").doesNotContain("acl-token");
		assertThat(config.password()).isEqualTo("pa55word");
		assertThat(config.passwordChars()).containsExactly("pa55word".toCharArray());
		assertThat(config.tokenChars()).containsExactly("acl-token".toCharArray());
		assertThat(config.hasPassword()).isTrue();
		assertThat(config.hasToken()).isTrue();
	}

	@Test
	void secretsGivenAsCharArraysAreCopiedAndHandedOutAsCopies() {
		char[] password = "pa55word".toCharArray();
		char[] token = "acl-token".toCharArray();
		StoreConfig config = StoreConfig.builder("etcd").credentials("me", password).token(token).build();
		java.util.Arrays.fill(password, '\0');
		java.util.Arrays.fill(token, '\0');
		char[] handedOut = config.passwordChars();
		java.util.Arrays.fill(handedOut, '\0');
		assertThat(config.passwordChars()).containsExactly("pa55word".toCharArray());
		assertThat(config.tokenChars()).containsExactly("acl-token".toCharArray());
		StoreConfig none = StoreConfig.builder("etcd").credentials("me", (char[]) null).build();
		assertThat(none.hasPassword()).isFalse();
		assertThat(none.passwordChars()).isNull();
		assertThat(none.password()).isNull();
	}

	@Test
	void suppliedSecretsAreAskedForOnEveryUse() {
		java.util.concurrent.atomic.AtomicReference<String> current = new java.util.concurrent.atomic.AtomicReference<>("first");
		StoreConfig config = StoreConfig.builder("redis")
			.credentials("me", () -> current.get().toCharArray())
			.token(() -> current.get().toCharArray())
			.build();
		assertThat(config.password()).isEqualTo("first");
		current.set("rotated");
		assertThat(config.passwordChars()).containsExactly("rotated".toCharArray());
		assertThat(config.toBuilder().build().tokenChars()).containsExactly("rotated".toCharArray());
		assertThat(config.toString()).doesNotContain("first", "rotated");
		assertThatThrownBy(() -> StoreConfig.builder("redis").credentials("me", (java.util.function.Supplier<char[]>) null))
			.hasMessageContaining("'password'");
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
