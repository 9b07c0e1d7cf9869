package io.valkeyrie.boot.discovery;

import java.util.Map;
import java.util.UUID;

import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Discovery end to end on the local backend: an in-memory database shared by name within
 * this JVM stands in for a server. A local store belongs to one process, so the crashing
 * instance runs in this JVM too and "crashes" by losing its store without deregistering.
 */
class LocalDiscoveryApplicationTests extends AbstractDiscoveryApplicationTests {

	private final String database = "discovery-" + UUID.randomUUID();

	@Override
	protected Map<String, String> backendProperties() {
		return Map.of("valkeyrie.backend", "local", "valkeyrie.local.name", this.database);
	}

	@Override
	protected Runnable startCrashingInstance(Map<String, String> properties) {
		ConfigurableApplicationContext context = start(properties, WebApplicationType.SERVLET);
		return () -> store(context).close();
	}

}
