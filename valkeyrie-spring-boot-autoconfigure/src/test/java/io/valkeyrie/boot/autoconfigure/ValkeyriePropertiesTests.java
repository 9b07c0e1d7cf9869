package io.valkeyrie.boot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.valkeyrie.store.StoreConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ValkeyrieProperties}: each typed property reaches the store under the
 * option name its backend documents, and the connection settings of the selected backend
 * become the store's.
 */
class ValkeyriePropertiesTests {

	@Test
	void etcdSettings() {
		StoreConfig config = config(Map.of("valkeyrie.backend", "etcd", "valkeyrie.etcd.endpoints",
				"http://e1:2379,http://e2:2379", "valkeyrie.etcd.username", "root", "valkeyrie.etcd.password", "pw",
				"valkeyrie.etcd.authority", "etcd.internal", "valkeyrie.etcd.max-request-bytes", "4MB",
				"valkeyrie.etcd.keep-alive-time", "20s", "valkeyrie.etcd.keep-alive-timeout", "3s"));
		assertThat(config.endpoints()).containsExactly("http://e1:2379", "http://e2:2379");
		assertThat(config.username()).isEqualTo("root");
		assertThat(config.password()).isEqualTo("pw");
		assertThat(config.options()).containsExactlyInAnyOrderEntriesOf(Map.of("authority", "etcd.internal",
				"max-request-bytes", "4194304", "grpc-keep-alive-time", "20000ms", "grpc-keep-alive-timeout", "3000ms"));
	}

	@Test
	void etcdDefaults() {
		StoreConfig config = config(Map.of("valkeyrie.backend", "etcd"));
		assertThat(config.endpoints()).containsExactly("http://127.0.0.1:2379");
		assertThat(config.options()).isEmpty();
		assertThat(config.tls()).isNull();
	}

	@Test
	void zookeeperSettings() {
		StoreConfig config = config(Map.of("valkeyrie.backend", "zookeeper", "valkeyrie.zookeeper.session-timeout",
				"8s", "valkeyrie.zookeeper.base-path", "/apps", "valkeyrie.zookeeper.acl", "open",
				"valkeyrie.zookeeper.options.jute-max-buffer", "2000000"));
		assertThat(config.endpoints()).containsExactly("127.0.0.1:2181");
		assertThat(config.options()).containsExactlyInAnyOrderEntriesOf(Map.of("session-timeout", "8000ms",
				"base-path", "/apps", "acl", "open", "jute-max-buffer", "2000000"));
	}

	@Test
	void redisSettings() {
		StoreConfig config = config(Map.of("valkeyrie.backend", "redis", "valkeyrie.redis.endpoints",
				"redis://cache:6379", "valkeyrie.redis.database", "3", "valkeyrie.redis.key-prefix", "orders",
				"valkeyrie.redis.client-name", "orders-app"));
		assertThat(config.endpoints()).containsExactly("redis://cache:6379");
		assertThat(config.options()).containsExactlyInAnyOrderEntriesOf(
				Map.of("database", "3", "key-prefix", "orders", "client-name", "orders-app"));
	}

	@Test
	void redisHasNoDefaultEndpointSoSpringDataRedisCanBeReused() {
		assertThat(config(Map.of("valkeyrie.backend", "redis")).endpoints()).isEmpty();
	}

	@Test
	void consulSettings() {
		ValkeyrieProperties properties = bind(Map.of("valkeyrie.consul.token", "acl-token",
				"valkeyrie.consul.datacenter", "dc2", "valkeyrie.consul.consistency", "default",
				"valkeyrie.consul.lock-delay", "1s", "valkeyrie.consul.session-ttl-min", "5s"));
		assertThat(properties.getConsul().getEndpoints()).containsExactly("http://127.0.0.1:8500");
		assertThat(properties.getConsul().typedOptions()).containsExactlyInAnyOrderEntriesOf(Map.of("datacenter",
				"dc2", "consistency", "default", "lock-delay", "1000ms", "session-ttl-min", "5000ms"));
		properties.setBackend("consul");
		assertThat(new PropertiesValkeyrieConnectionDetails(properties, null).getToken()).isEqualTo("acl-token");
	}

	@Test
	void defaults() {
		ValkeyrieProperties properties = new ValkeyrieProperties();
		assertThat(properties.getBackend()).isEqualTo("local");
		assertThat(properties.getLock().getTtl()).as("the store's default lock TTL").isNull();
		assertThat(properties.getLock().getPrefix()).isEqualTo("locks");
		assertThat(properties.getLeader().isEnabled()).isFalse();
		assertThat(properties.getLeader().getRole()).isEqualTo("leader");
		assertThat(properties.getWatch().getKeys()).isEmpty();
		assertThat(properties.backend("unknown")).isNull();
	}

	private static StoreConfig config(Map<String, String> values) {
		ValkeyrieProperties properties = bind(values);
		return new ValkeyrieStoreFactory(properties, new PropertiesValkeyrieConnectionDetails(properties, null),
				List.of())
			.config();
	}

	private static ValkeyrieProperties bind(Map<String, String> values) {
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("valkeyrie",
				ValkeyrieProperties.class);
	}

}
