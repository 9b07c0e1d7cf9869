package io.valkeyrie.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.ValueTooLargeException;
import io.valkeyrie.store.internal.AbstractStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ValkeyrieAutoConfiguration}.
 */
class ValkeyrieAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValkeyrieAutoConfiguration.class));

	@Test
	void defaultsToAnInMemoryLocalStore() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(Store.class).hasSingleBean(ValkeyrieConnectionDetails.class);
			Store store = context.getBean(Store.class);
			assertThat(store.backend()).isEqualTo("local");
			assertThat(store.namespace()).isEmpty();
			store.put("a/b", "value");
			assertThat(store.get("a/b").valueAsString()).isEqualTo("value");
			StoreConfig config = config(store);
			assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(config.maxValueSize()).isEqualTo(512 * 1024);
			assertThat(config.watchThreads()).isEqualTo(4);
			assertThat(config.options()).containsEntry("fsync", "false").containsEntry("history-size", "10000");
		});
	}

	@Test
	void storeIsClosedWithTheContext() {
		Store[] store = new Store[1];
		this.contextRunner.run((context) -> store[0] = context.getBean(Store.class));
		assertThat(store[0].isClosed()).isTrue();
	}

	@Test
	void commonPropertiesAreApplied() {
		this.contextRunner
			.withPropertyValues("valkeyrie.namespace=/apps/orders/", "valkeyrie.request-timeout=2s",
					"valkeyrie.connect-timeout=3s", "valkeyrie.max-value-size=1KB", "valkeyrie.watch-threads=2")
			.run((context) -> {
				Store store = context.getBean(Store.class);
				assertThat(store.namespace()).isEqualTo("apps/orders");
				assertThat(store.maxValueSize()).isEqualTo(1024);
				assertThatExceptionOfType(ValueTooLargeException.class)
					.isThrownBy(() -> store.put("big", new byte[1025]));
				StoreConfig config = config(store);
				assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(config.watchThreads()).isEqualTo(2);
			});
	}

	@Test
	void localPropertiesBecomeOptions(@TempDir Path dir) {
		Path file = dir.resolve("store.mv");
		this.contextRunner
			.withPropertyValues("valkeyrie.local.path=" + file, "valkeyrie.local.fsync=true",
					"valkeyrie.local.history-size=50")
			.run((context) -> {
				Store store = context.getBean(Store.class);
				store.put("k", "v");
				assertThat(config(store).options()).containsEntry("path", file.toString())
					.containsEntry("fsync", "true")
					.containsEntry("history-size", "50");
			});
		assertThat(file).exists();
	}

	@Test
	void freeFormOptionsArePassedAndWinOverTypedDefaults() {
		this.contextRunner.withPropertyValues("valkeyrie.local.options.history-size=7", "valkeyrie.local.options.name=shared")
			.run((context) -> assertThat(config(context.getBean(Store.class)).options())
				.containsEntry("history-size", "7")
				.containsEntry("name", "shared"));
	}

	@Test
	void unknownOptionFailsNamingTheKnownOnes() {
		this.contextRunner.withPropertyValues("valkeyrie.local.options.colour=blue").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(StoreConfigurationException.class)
				.hasMessageContaining("colour")
				.hasMessageContaining("path");
		});
	}

	@Test
	void disabledCreatesNoStore() {
		this.contextRunner.withPropertyValues("valkeyrie.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(Store.class)
				.doesNotHaveBean(ValkeyrieConnectionDetails.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesAStore() {
		Store own = Stores.open(StoreConfig.builder("local").build());
		this.contextRunner.withBean("myStore", Store.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(Store.class);
			assertThat(context.getBean(Store.class)).isSameAs(own);
		});
	}

	@Test
	void customizersAdjustTheConfigurationInOrder() {
		this.contextRunner.withPropertyValues("valkeyrie.namespace=from-properties")
			.withUserConfiguration(Customizers.class)
			.run((context) -> assertThat(context.getBean(Store.class).namespace()).isEqualTo("second"));
	}

	@Test
	void connectionDetailsBeanReplacesTheProperties() {
		this.contextRunner.withPropertyValues("valkeyrie.backend=etcd")
			.withBean(ValkeyrieConnectionDetails.class, () -> ValkeyrieConnectionDetails.of("local", List.of()))
			.run((context) -> {
				assertThat(context).hasSingleBean(ValkeyrieConnectionDetails.class)
					.doesNotHaveBean(PropertiesValkeyrieConnectionDetails.class);
				assertThat(context.getBean(Store.class).backend()).isEqualTo("local");
			});
	}

	@Test
	void unknownBackendIsAnalyzedWithTheValidValues() {
		this.contextRunner.withPropertyValues("valkeyrie.backend=mongo").run((context) -> {
			assertThat(context).hasFailed();
			NoSuchBackendException ex = rootCause(context.getStartupFailure(), NoSuchBackendException.class);
			FailureAnalysis analysis = new NoSuchBackendFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("valkeyrie.backend is 'mongo'");
			assertThat(analysis.getAction()).contains("local", "consul", "etcd", "zookeeper", "redis");
			assertThat(analysis.getCause()).isSameAs(ex);
		});
	}

	@Test
	void missingClientLibraryIsAnalyzedWithTheDependency() {
		this.contextRunner.withPropertyValues("valkeyrie.backend=missing-library").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new MissingClientLibraryFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("missing-library client library is not on the classpath");
			assertThat(analysis.getAction()).contains("Add the Maven dependency com.example:no-such-client");
		});
	}

	@Test
	void unreachableBackendIsAnalyzedWithEndpointAndCauseButNoCredentials() {
		this.contextRunner
			.withBean(ValkeyrieConnectionDetails.class,
					() -> ValkeyrieConnectionDetails.of("unreachable", List.of("http://admin:s3cret@db.example:9999")))
			.run((context) -> {
				assertThat(context).hasFailed();
				StoreStartupException ex = rootCause(context.getStartupFailure(), StoreStartupException.class);
				assertThat(ex.getEndpoints()).containsExactly("http://db.example:9999");
				assertThat(ex.getKind()).isEqualTo(StoreStartupException.Kind.UNREACHABLE);
				FailureAnalysis analysis = new StoreStartupFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("unreachable store could not start: its servers are unreachable at http://db.example:9999")
					.contains("no server answered within 5s")
					.contains("Cause: ConnectException: Connection refused")
					.doesNotContain("s3cret");
				assertThat(analysis.getAction()).contains("the endpoints of the ValkeyrieConnectionDetails bean");
			});
	}

	@Test
	void invalidNamespaceIsReportedAsAnInvalidProperty() {
		this.contextRunner.withPropertyValues("valkeyrie.namespace=a//b").run((context) -> {
			assertThat(context).hasFailed();
			InvalidConfigurationPropertyValueException ex = rootCause(context.getStartupFailure(),
					InvalidConfigurationPropertyValueException.class);
			assertThat(ex.getName()).isEqualTo("valkeyrie.namespace");
			assertThat(ex.getValue()).isEqualTo("a//b");
			assertThat(ex.getReason()).contains("a//b");
		});
	}

	@Test
	void nonPositiveTimeoutIsReportedAsAnInvalidProperty() {
		this.contextRunner.withPropertyValues("valkeyrie.request-timeout=0s").run((context) -> {
			InvalidConfigurationPropertyValueException ex = rootCause(context.getStartupFailure(),
					InvalidConfigurationPropertyValueException.class);
			assertThat(ex.getName()).isEqualTo("valkeyrie.request-timeout");
			assertThat(ex.getReason()).isEqualTo("must be positive");
		});
	}

	@Test
	void redisWithoutEndpointsReusesSpringDataRedisConfiguration() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.run((context) -> assertThat(context).hasBean("valkeyrieDataRedisStoreOpener"));
	}

	@Test
	void withoutSpringDataRedisThereIsNoRedisOpener() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(DataRedisConnectionDetails.class))
			.run((context) -> assertThat(context).doesNotHaveBean("valkeyrieDataRedisStoreOpener").hasSingleBean(Store.class));
	}

	@Test
	void dataRedisOpenerBuildsTheEndpointFromSpringDataRedis() {
		DataRedisConnectionDetails details = new DataRedisConnectionDetails() {

			@Override
			public String getPassword() {
				return "secret";
			}

			@Override
			public Standalone getStandalone() {
				return Standalone.of("redis.example", 6380, 2);
			}

		};
		StoreConfig config = new DataRedisStoreOpener(details, false).configFor(StoreConfig.builder("redis").build());
		assertThat(config.endpoints()).containsExactly("redis://redis.example:6380/2");
		assertThat(config.password()).isEqualTo("secret");
		StoreConfig explicit = StoreConfig.builder("redis").endpoints("redis://own:6379").build();
		assertThat(new DataRedisStoreOpener(details, false).configFor(explicit)).isSameAs(explicit);
	}

	private static StoreConfig config(Store store) {
		return ((AbstractStore) store).config();
	}

	static <T extends Throwable> T rootCause(Throwable failure, Class<T> type) {
		Throwable candidate = failure;
		while (candidate != null) {
			if (type.isInstance(candidate)) {
				return type.cast(candidate);
			}
			candidate = candidate.getCause();
		}
		throw new AssertionError("No " + type.getName() + " in the causes of " + failure);
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class Customizers {

		@org.springframework.context.annotation.Bean
		@Order(2)
		ValkeyrieStoreCustomizer second() {
			return (builder) -> builder.namespace("second");
		}

		@org.springframework.context.annotation.Bean
		@Order(1)
		ValkeyrieStoreCustomizer first() {
			return (builder) -> builder.namespace("first");
		}

	}

}
