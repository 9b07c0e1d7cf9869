package io.valkeyrie.sample;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "first lock" of docs/getting-started.md, as written there: the starter's
 * {@link LockRegistry} guards a block, which excludes every other holder (another thread
 * here, another instance in production) until it ends.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, SampleApiTests.SELENIUM_QUIET })
class SampleLockTests {

	@Autowired
	LockRegistry<DistributedLock> locks;

	@Test
	void executeLockedExcludesOtherHoldersWhileItRuns() throws Exception {
		this.locks.executeLocked("nightly-report", Duration.ofSeconds(5), () -> {
			boolean elsewhere = CompletableFuture.supplyAsync(() -> {
				Lock lock = this.locks.obtain("nightly-report");
				try {
					return lock.tryLock(200, TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return true;
				}
			}).get(10, TimeUnit.SECONDS);
			assertThat(elsewhere).as("another thread got the lock while it was held").isFalse();
		});
		Lock lock = this.locks.obtain("nightly-report");
		assertThat(CompletableFuture.supplyAsync(lock::tryLock).get(10, TimeUnit.SECONDS)).isTrue();
	}

}
