package io.valkeyrie.boot.autoconfigure.observation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.valkeyrie.boot.autoconfigure.ValkeyrieAutoConfiguration;
import io.valkeyrie.boot.observation.ObservedStore;
import io.valkeyrie.boot.observation.ValkeyrieStoreMeterBinder;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WriteOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ValkeyrieObservationAutoConfiguration} and {@link ObservedStore}.
 */
class ValkeyrieObservationAutoConfigurationTests {

	private final List<Observation.Context> observed = new CopyOnWriteArrayList<>();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(ValkeyrieAutoConfiguration.class, ValkeyrieObservationAutoConfiguration.class));

	private ObservationRegistry recordingRegistry() {
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public void onStop(Observation.Context context) {
				ValkeyrieObservationAutoConfigurationTests.this.observed.add(context);
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
		return registry;
	}

	private List<String> observed(String name, String... keys) {
		return this.observed.stream().filter((context) -> context.getName().equals(name)).map((context) -> {
			StringBuilder out = new StringBuilder();
			for (String key : keys) {
				out.append((out.length() > 0) ? ":" : "").append(context.getLowCardinalityKeyValue(key).getValue());
			}
			return out.toString();
		}).toList();
	}

	@Test
	void storeIsObservedWhenThereIsAnObservationRegistry() {
		this.contextRunner.withBean(ObservationRegistry.class, this::recordingRegistry).run((context) -> {
			Store store = context.getBean(Store.class);
			assertThat(store).isInstanceOf(ObservedStore.class);
			store.put("a", "1");
			KVPair pair = store.get("a");
			assertThatExceptionOfType(KeyNotFoundException.class).isThrownBy(() -> store.get("missing"));
			assertThatExceptionOfType(KeyExistsException.class)
				.isThrownBy(() -> store.atomicPut("a", new byte[0], null, WriteOptions.NONE));
			store.atomicPut("a", new byte[0], pair, WriteOptions.NONE);
			assertThat(observed(ObservedStore.STORE_OBSERVATION, "operation", "outcome", "backend")).containsExactly("put:success:local", "get:success:local", "get:not_found:local",
						"atomicPut:conflict:local", "atomicPut:success:local");
		});
	}

	@Test
	void lockWaitAndHoldAreObserved() {
		this.contextRunner.withBean(ObservationRegistry.class, this::recordingRegistry).run((context) -> {
			ObservedStore store = (ObservedStore) context.getBean(Store.class);
			try (LockLease lease = store.newLock("job").lock()) {
				assertThat(store.heldLocks()).isEqualTo(1);
				assertThat(store.newLock("job").tryLock()).isEmpty();
			}
			assertThat(store.heldLocks()).isZero();
			assertThat(observed("valkeyrie.lock.wait", "outcome", "backend")).containsExactly("acquired:local",
					"timeout:local");
			assertThat(observed("valkeyrie.lock.held", "outcome")).containsExactly("released");
		});
	}

	@Test
	void gaugesCountActiveWatchesAndHeldLocks() {
		this.contextRunner.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> {
				assertThat(context).hasSingleBean(ValkeyrieStoreMeterBinder.class);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				context.getBean(ValkeyrieStoreMeterBinder.class).bindTo(meters);
				Store store = context.getBean(Store.class);
				Watch watch = store.watchTree("config", (event) -> {
				});
				LockLease lease = store.newLock("job").lock();
				assertThat(meters.get("valkeyrie.watches.active").tag("backend", "local").gauge().value()).isEqualTo(1);
				assertThat(meters.get("valkeyrie.locks.held").gauge().value()).isEqualTo(1);
				watch.close();
				lease.close();
				assertThat(meters.get("valkeyrie.watches.active").gauge().value()).isZero();
				assertThat(meters.get("valkeyrie.locks.held").gauge().value()).isZero();
			});
	}

	@Test
	void storeIsNotWrappedWithoutAnObservationRegistry() {
		this.contextRunner.run((context) -> assertThat(context.getBean(Store.class)).isNotInstanceOf(ObservedStore.class));
	}

	@Test
	void canBeDisabled() {
		this.contextRunner.withBean(ObservationRegistry.class, this::recordingRegistry)
			.withPropertyValues("valkeyrie.observations.enabled=false")
			.run((context) -> assertThat(context.getBean(Store.class)).isNotInstanceOf(ObservedStore.class));
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
			.run((context) -> assertThat(context).hasSingleBean(Store.class)
				.doesNotHaveBean(ObservedStoreBeanPostProcessor.class));
	}

}
