package io.valkeyrie.boot.testcontainers;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.boot.docker.BackendImage;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

	private static final Duration WAIT = Timing.seconds(30);

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
		String key = "service-connection/" + UUID.randomUUID();
		this.store.put(key, "from a container");
		assertThat(this.store.get(key).valueAsString()).isEqualTo("from a container");
	}

	@Test
	void watchSeesTheCurrentStateThenEveryChange() {
		String key = "service-connection/watched-" + UUID.randomUUID();
		List<WatchEvent> events = new CopyOnWriteArrayList<>();
		try (Watch watch = this.store.watch(key, events::add)) {
			await().atMost(WAIT).until(() -> !events.isEmpty());
			assertThat(events.get(0)).isInstanceOfSatisfying(WatchEvent.Snapshot.class,
					(snapshot) -> assertThat(snapshot.pairs()).isEmpty());
			this.store.put(key, "1");
			await().atMost(WAIT)
				.until(() -> events.stream()
					.anyMatch((event) -> event instanceof WatchEvent.Put put && put.pair().valueAsString().equals("1")));
		}
	}

	@Test
	void lockExcludesASecondHolderUntilUnlocked() {
		String key = "service-connection/lock-" + UUID.randomUUID();
		StoreLock first = this.store.newLock(key);
		StoreLock second = this.store.newLock(key);
		LockLease lease = first.lock();
		assertThat(lease.fencingToken()).isPositive();
		assertThat(second.tryLock()).isEmpty();
		first.unlock();
		Optional<LockLease> next = second.tryLock(WAIT);
		assertThat(next).hasValueSatisfying(
				(secondLease) -> assertThat(secondLease.fencingToken()).isGreaterThan(lease.fencingToken()));
		second.unlock();
	}

}
