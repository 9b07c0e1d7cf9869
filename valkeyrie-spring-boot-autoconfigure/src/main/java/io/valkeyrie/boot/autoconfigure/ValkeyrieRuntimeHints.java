package io.valkeyrie.boot.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * What a native image of an application on valkeyrie needs beyond what Spring's AOT
 * processing finds by itself: the Redis backend's Lua sources (read as class-path
 * resources), the {@code StoreProvider} service file and the providers it names
 * (instantiated by {@code ServiceLoader}), and the binding of {@link ValkeyrieProperties}.
 * Registered in {@code META-INF/spring/aot.factories}. The client libraries' own
 * reflection (gRPC and Netty for etcd, ZooKeeper) is theirs to declare; see
 * docs/configuration.md for the native-image status.
 */
class ValkeyrieRuntimeHints implements RuntimeHintsRegistrar {

	/** Every backend's provider, by name: a backend whose client library is absent must not fail here. */
	static final List<String> PROVIDERS = List.of("io.valkeyrie.store.local.LocalStoreProvider",
			"io.valkeyrie.store.consul.ConsulStoreProvider", "io.valkeyrie.store.etcd.EtcdStoreProvider",
			"io.valkeyrie.store.zookeeper.ZookeeperStoreProvider", "io.valkeyrie.store.redis.RedisStoreProvider");

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern("io/valkeyrie/store/redis/*.lua");
		hints.resources().registerPattern("META-INF/services/io.valkeyrie.store.spi.StoreProvider");
		PROVIDERS.forEach((provider) -> hints.reflection()
			.registerType(TypeReference.of(provider), MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS));
		BindableRuntimeHintsRegistrar.forTypes(ValkeyrieProperties.class).registerHints(hints, classLoader);
	}

}
