package io.valkeyrie.boot.config;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.local.LocalStore;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ValkeyrieConfigReader} and {@link ValkeyrieConfigWatcher} on a local
 * store.
 */
class ValkeyrieConfigReaderTests {

	private final Store store = LocalStore.builder().name("config-reader-" + UUID.randomUUID()).open();

	@AfterEach
	void close() {
		this.store.close();
	}

	@Test
	void foldersGoFromTheDefaultContextToTheLastProfileOfTheApplication() {
		ValkeyrieConfigReader reader = new ValkeyrieConfigReader("/cfg/", "application", "orders", List.of("a", "b"),
				",", ValkeyrieConfigFormat.KEY_VALUE, "data");
		assertThat(reader.getContexts()).containsExactly("cfg/application", "cfg/application,a", "cfg/application,b",
				"cfg/orders", "cfg/orders,a", "cfg/orders,b");
		ValkeyrieConfigReader plain = new ValkeyrieConfigReader("cfg", "application", "application", List.of(), "-",
				ValkeyrieConfigFormat.KEY_VALUE, "data");
		assertThat(plain.getContexts()).containsExactly("cfg/application");
		assertThat(reader.isRead("cfg/orders,a/x")).isTrue();
		assertThat(reader.isRead("cfg/orders-other/x")).isFalse();
	}

	@Test
	void propertiesTextInOneKeyIsRead() {
		this.store.put("config/orders/data", "a.b=1\nc=two\n");
		this.store.put("config/orders/ignored", "not the data key");
		ValkeyrieConfigReader reader = new ValkeyrieConfigReader("config", "application", "orders", List.of(), ",",
				ValkeyrieConfigFormat.PROPERTIES, "data");
		assertThat(reader.read(this.store)).containsOnly(org.assertj.core.api.Assertions.entry("a.b", "1"),
				org.assertj.core.api.Assertions.entry("c", "two"));
	}

	@Test
	void aBurstOfChangesRunsTheActionOnceAfterItSettles() {
		ValkeyrieConfigReader reader = new ValkeyrieConfigReader("config", "application", "orders", List.of(), ",",
				ValkeyrieConfigFormat.KEY_VALUE, "data");
		AtomicInteger runs = new AtomicInteger();
		ValkeyrieConfigWatcher watcher = new ValkeyrieConfigWatcher(this.store, reader, Timing.millis(500),
				runs::incrementAndGet);
		this.store.put("config/orders/before", "start");
		watcher.start();
		try {
			for (int i = 0; i < 5; i++) {
				this.store.put("config/orders/key", "v" + i);
			}
			this.store.put("config/billing/key", "another application's folder");
			await().atMost(Timing.seconds(10)).until(() -> runs.get() == 1);
			// Another quiet period passes without a second run: the burst refreshed once.
			await().pollDelay(Timing.millis(1500)).atMost(Timing.seconds(3)).until(() -> true);
			assertThat(runs.get()).isEqualTo(1);
			this.store.put("config/billing/key", "still not ours");
			this.store.put("config/orders/key", "later");
			await().atMost(Timing.seconds(10)).until(() -> runs.get() == 2);
		}
		finally {
			watcher.stop();
		}
	}

}
