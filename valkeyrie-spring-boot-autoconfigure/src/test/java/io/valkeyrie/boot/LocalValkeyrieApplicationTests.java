package io.valkeyrie.boot;

import java.util.Map;
import java.util.UUID;

import io.valkeyrie.store.StoreConfig;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application tests on the local backend: an in-memory database shared by name within
 * the JVM stands in for a server; stopping it means closing the store.
 */
class LocalValkeyrieApplicationTests extends AbstractValkeyrieApplicationTests {

	private static final String DATABASE = "app-" + UUID.randomUUID();

	@DynamicPropertySource
	static void backend(DynamicPropertyRegistry registry) {
		registry.add("valkeyrie.backend", () -> "local");
		registry.add("valkeyrie.local.name", () -> DATABASE);
	}

	@Override
	protected StoreConfig.Builder secondClient() {
		return StoreConfig.builder("local").option("name", DATABASE);
	}

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "local", "valkeyrie.local.name", DATABASE);
	}

	@Override
	protected void stopBackend() {
		store().close();
	}

	@Override
	protected void startBackend() {
		// A closed local store stays closed; the context is rebuilt after this test.
	}

	@Override
	protected boolean recovers() {
		return false;
	}

}
