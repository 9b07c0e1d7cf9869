package io.valkeyrie.boot.autoconfigure;

import java.io.IOException;
import java.util.ServiceLoader;

import io.valkeyrie.store.spi.StoreProvider;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints cover every Lua source the Redis backend loads, every provider the service
 * file names, and the properties' binding; and Spring's AOT processing finds the registrar.
 */
class ValkeyrieRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	ValkeyrieRuntimeHintsTests() {
		new ValkeyrieRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
	}

	@Test
	void everyLuaSourceIsARegisteredResource() throws IOException {
		Resource[] sources = new PathMatchingResourcePatternResolver()
			.getResources("classpath*:io/valkeyrie/store/redis/*.lua");
		assertThat(sources).isNotEmpty();
		for (Resource source : sources) {
			assertThat(RuntimeHintsPredicates.resource().forResource("io/valkeyrie/store/redis/" + source.getFilename()))
				.accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/services/" + StoreProvider.class.getName()))
			.accepts(this.hints);
	}

	@Test
	void everyProviderCanBeInstantiatedReflectively() {
		ServiceLoader.load(StoreProvider.class).stream().map(ServiceLoader.Provider::type).forEach((type) -> {
			if (type.getName().startsWith("io.valkeyrie.store.")) {
				assertThat(RuntimeHintsPredicates.reflection()
					.onType(type)
					.withMemberCategory(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS)).as(type.getName()).accepts(this.hints);
			}
		});
		assertThat(ValkeyrieRuntimeHints.PROVIDERS).hasSize(5);
	}

	@Test
	void propertiesCanBeBound() {
		assertThat(RuntimeHintsPredicates.reflection().onType(ValkeyrieProperties.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(ValkeyrieProperties.Etcd.class)).accepts(this.hints);
	}

	@Test
	void registeredForAotProcessing() {
		assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
			.anyMatch(ValkeyrieRuntimeHints.class::isInstance);
	}

}
