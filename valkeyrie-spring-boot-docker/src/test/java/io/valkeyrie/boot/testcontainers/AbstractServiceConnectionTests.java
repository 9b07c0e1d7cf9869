package io.valkeyrie.boot.testcontainers;

import io.valkeyrie.boot.docker.BackendImage;
import io.valkeyrie.boot.docker.StoreChecks;
import io.valkeyrie.store.Store;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application whose only configuration is one {@code @ServiceConnection} container: the
 * {@code Store} bean talks to that container's backend, and put, get, watch and locks work.
 * Each subclass declares its container and says which backend it runs.
 */
@SpringBootTest(classes = ServiceConnectionTestApplication.class)
@DockerTest
// The container stops after the class: close the store with it rather than keep it cached.
@DirtiesContext
abstract class AbstractServiceConnectionTests {

	private final BackendImage image;

	@Autowired
	private Store store;

	AbstractServiceConnectionTests(BackendImage image) {
		this.image = image;
	}

	/** The container of the subclass, to check the store's endpoint against. */
	protected abstract GenericContainer<?> container();

	@Test
	void storeConnectsToTheContainer() {
		assertThat(this.store.backend()).isEqualTo(this.image.backend());
		String published = container().getHost() + ":" + container().getMappedPort(this.image.port());
		assertThat(this.store.endpoints()).singleElement().asString().endsWith(published);
	}

	@Test
	void putThenGet() {
		StoreChecks.putThenGet(this.store, "service-connection");
	}

	@Test
	void watchSeesTheCurrentStateThenEveryChange() {
		StoreChecks.watchSeesTheCurrentStateThenEveryChange(this.store, "service-connection");
	}

	@Test
	void lockExcludesASecondHolderUntilUnlocked() {
		StoreChecks.lockExcludesASecondHolderUntilUnlocked(this.store, "service-connection");
	}

}
