package io.valkeyrie.boot.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.test.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.integration.support.locks.DistributedLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * The cases of Spring Integration 7.0's own lock-registry suites ({@code RedisLockRegistryTests},
 * {@code JdbcLockRegistryTests}, {@code ZkLockRegistryTests}), adapted to
 * {@link ValkeyrieLockRegistry} and run against each backend's real server by a subclass.
 * Two registries on two stores stand for two processes. Deliberate differences are in
 * docs/compatibility.md: unlock by a thread that does not hold the lock throws
 * {@link IllegalMonitorStateException} (JDBC, ZooKeeper and the JDK; Redis throws
 * {@code IllegalStateException}).
 */
abstract class SpringIntegrationLockRegistryTests {

	/** The expiry TTL of the manual-renewal cases, as short as Spring Integration's own. */
	private static final Duration SHORT_TTL = Duration.ofMillis(100);

	private Store store;

	private Store otherStore;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	/** The backend's store configuration; the test sets the namespace. */
	protected abstract StoreConfig.Builder storeConfig();

	@BeforeEach
	void openStores() {
		String namespace = "si-locks/" + UUID.randomUUID();
		this.store = Stores.open(storeConfig().namespace(namespace).build());
		this.otherStore = Stores.open(storeConfig().namespace(namespace).build());
	}

	@AfterEach
	void closeStores() {
		this.executor.shutdownNow();
		this.store.close();
		this.otherStore.close();
	}

	private ValkeyrieLockRegistry registry() {
		return new ValkeyrieLockRegistry(this.store);
	}

	private ValkeyrieLockRegistry otherProcess() {
		return new ValkeyrieLockRegistry(this.otherStore);
	}

	/** A registry with Spring Integration's expiry model; the other process keeps automatic renewal. */
	private ValkeyrieLockRegistry manual(Store on) {
		return new ValkeyrieLockRegistry(on, "locks", SHORT_TTL, LockRenewal.MANUAL);
	}

	@Test
	void lockAndUnlockRepeatedlyThenExpireTheUnusedLock() {
		ValkeyrieLockRegistry registry = registry();
		for (int i = 0; i < 10; i++) {
			Lock lock = registry.obtain("foo");
			lock.lock();
			try {
				assertThat(registry.size()).isOne();
			}
			finally {
				lock.unlock();
			}
		}
		registry.expireUnusedOlderThan(-1000);
		assertThat(registry.size()).isZero();
	}

	@Test
	void lockInterruptiblyRepeatedly() throws Exception {
		ValkeyrieLockRegistry registry = registry();
		for (int i = 0; i < 10; i++) {
			Lock lock = registry.obtain("foo");
			lock.lockInterruptibly();
			lock.unlock();
		}
		registry.expireUnusedOlderThan(-1000);
		assertThat(registry.size()).isZero();
	}

	@Test
	void reentrantLockAndLockInterruptibly() throws Exception {
		ValkeyrieLockRegistry registry = registry();
		for (int i = 0; i < 5; i++) {
			Lock outer = registry.obtain("foo");
			outer.lock();
			Lock inner = registry.obtain("foo");
			assertThat(inner).isSameAs(outer);
			inner.lockInterruptibly();
			inner.unlock();
			assertThat(otherProcess().obtain("foo").tryLock()).isFalse();
			outer.unlock();
		}
		registry.expireUnusedOlderThan(-1000);
		assertThat(registry.size()).isZero();
	}

	@Test
	void twoKeysAreTwoLocks() throws Exception {
		ValkeyrieLockRegistry registry = registry();
		Lock foo = registry.obtain("foo");
		foo.lockInterruptibly();
		Lock bar = registry.obtain("bar");
		assertThat(bar).isNotSameAs(foo);
		bar.lockInterruptibly();
		bar.unlock();
		foo.unlock();
	}

	@Test
	void secondThreadFailsToGetTheLockAndCannotUnlockIt() throws Exception {
		ValkeyrieLockRegistry registry = registry();
		Lock lock = registry.obtain("foo");
		lock.lockInterruptibly();
		Future<Object> result = this.executor.submit(() -> {
			Lock same = registry.obtain("foo");
			boolean locked = same.tryLock(200, TimeUnit.MILLISECONDS);
			try {
				same.unlock();
			}
			catch (IllegalMonitorStateException ex) {
				return ex;
			}
			return locked;
		});
		assertThat(result.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalMonitorStateException.class);
		lock.unlock();
	}

	@Test
	void waitingThreadGetsTheLockWhenTheHolderUnlocks() throws Exception {
		assertHandOver(registry(), registry());
	}

	@Test
	void waitingThreadOfAnotherRegistryGetsTheLockWhenTheHolderUnlocks() throws Exception {
		assertHandOver(registry(), otherProcess());
	}

	private void assertHandOver(ValkeyrieLockRegistry first, ValkeyrieLockRegistry second) throws Exception {
		Lock held = first.obtain("foo");
		held.lockInterruptibly();
		AtomicBoolean locked = new AtomicBoolean();
		CountDownLatch waiting = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Future<?> waiter = this.executor.submit(() -> {
			Lock lock = second.obtain("foo");
			waiting.countDown();
			lock.lockInterruptibly();
			try {
				locked.set(true);
				release.await(10, TimeUnit.SECONDS);
			}
			finally {
				lock.unlock();
			}
			return null;
		});
		assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(locked).isFalse();
		held.unlock();
		await().atMost(Timing.seconds(10)).untilTrue(locked);
		release.countDown();
		waiter.get(10, TimeUnit.SECONDS);
	}

	@Test
	void wrongThreadUnlockThrowsIllegalMonitorStateException() throws Exception {
		Lock lock = registry().obtain("foo");
		lock.lockInterruptibly();
		Future<?> wrong = this.executor.submit(lock::unlock);
		assertThat(catchCause(wrong)).isInstanceOf(IllegalMonitorStateException.class)
			.hasMessageContaining("not held by the current thread");
		lock.unlock();
	}

	@Test
	void locksOfOneRegistryAreTheSameObjectAndOtherRegistriesExcludeThem() {
		ValkeyrieLockRegistry registry = registry();
		Lock first = registry.obtain("foo");
		assertThat(registry.obtain("foo")).isEqualTo(first);
		Lock theirs = otherProcess().obtain("foo");
		assertThat(theirs).isNotEqualTo(first);
		first.lock();
		assertThat(theirs.tryLock()).isFalse();
		first.unlock();
		Lock elsewhere = new ValkeyrieLockRegistry(this.store, "other-locks", ValkeyrieLockRegistry.defaultTtl(this.store))
			.obtain("foo");
		first.lock();
		assertThat(elsewhere.tryLock()).isTrue();
		elsewhere.unlock();
		first.unlock();
	}

	@Test
	void locksStayCachedWhileInUse() {
		ValkeyrieLockRegistry registry = registry();
		for (int i = 0; i < 10; i++) {
			registry.obtain("foo" + i).lock();
		}
		registry.expireUnusedOlderThan(-1000);
		assertThat(registry.size()).isEqualTo(10);
		for (int i = 0; i < 10; i++) {
			registry.obtain("foo" + i).unlock();
		}
		assertThat(registry.size()).isEqualTo(10);
	}

	@Test
	void expireUnusedCountsFromTheLastAcquisition() {
		ValkeyrieLockRegistry registry = registry();
		Lock lock = registry.obtain("foo");
		lock.lock();
		long acquired = System.currentTimeMillis();
		await().pollDelay(Duration.ofMillis(300)).atMost(Timing.seconds(2)).until(() -> true);
		lock.unlock();
		// Unlocked just now, but acquired more than 200 ms ago: unused by Spring Integration's measure.
		registry.expireUnusedOlderThan(200);
		assertThat(registry.size()).isZero();
		assertThat(System.currentTimeMillis() - acquired).isGreaterThanOrEqualTo(200);
	}

	@Test
	void renewLockOfAHeldLockAndNotOfOneNotOwned() {
		ValkeyrieLockRegistry registry = registry();
		Lock lock = registry.obtain("foo");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> registry.renewLock("foo"));
		assertThat(lock.tryLock()).isTrue();
		try {
			registry.renewLock("foo");
			registry.renewLock("foo", Duration.ofSeconds(2));
		}
		finally {
			lock.unlock();
		}
	}

	@Test
	void onlyOneOfManyClientsRacingForAFreeLockGetsIt() throws Exception {
		List<ValkeyrieLockRegistry> clients = List.of(registry(), otherProcess(), registry(), otherProcess());
		for (int round = 0; round < 5; round++) {
			String key = "race-" + round;
			BlockingQueue<String> winners = new LinkedBlockingQueue<>();
			List<Callable<Void>> tasks = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				ValkeyrieLockRegistry client = clients.get(i % clients.size());
				tasks.add(() -> {
					Lock lock = client.obtain(key);
					if (winners.isEmpty() && lock.tryLock(Timing.seconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
						try {
							if (winners.isEmpty()) {
								winners.add(Thread.currentThread().getName());
							}
						}
						finally {
							lock.unlock();
						}
					}
					return null;
				});
			}
			for (Future<Void> done : this.executor.invokeAll(tasks)) {
				done.get(30, TimeUnit.SECONDS);
			}
			assertThat(winners).hasSize(1);
		}
	}

	@Test
	void exclusiveAccessAcrossProcesses() throws Exception {
		Lock mine = registry().obtain("foo");
		BlockingQueue<Integer> data = new LinkedBlockingQueue<>();
		CountDownLatch started = new CountDownLatch(1);
		mine.lockInterruptibly();
		Future<?> other = this.executor.submit(() -> {
			Lock theirs = otherProcess().obtain("foo");
			started.countDown();
			theirs.lockInterruptibly();
			try {
				data.add(4);
				data.add(5);
				data.add(6);
			}
			finally {
				theirs.unlock();
			}
			return null;
		});
		assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
		data.add(1);
		await().pollDelay(Duration.ofMillis(100)).atMost(Timing.seconds(1)).until(() -> true);
		data.add(2);
		data.add(3);
		mine.unlock();
		for (int i = 1; i <= 6; i++) {
			assertThat(data.poll(10, TimeUnit.SECONDS)).isEqualTo(i);
		}
		other.get(10, TimeUnit.SECONDS);
	}

	// ---- Spring Integration's expiry model (LockRenewal.MANUAL) ----

	@Test
	void manualLockWithALongerTtlOutlivesTheDefault() throws Exception {
		ValkeyrieLockRegistry registry = manual(this.store);
		for (int i = 0; i < 3; i++) {
			DistributedLock lock = registry.obtain("foo");
			if (i % 2 == 0) {
				lock.lock(Timing.seconds(5));
			}
			else {
				assertThat(lock.tryLock(Duration.ofMillis(100), Timing.seconds(5))).isTrue();
			}
			await().pollDelay(SHORT_TTL.multipliedBy(2)).atMost(Timing.seconds(2)).until(() -> true);
			assertThatNoException().isThrownBy(lock::unlock);
		}
		registry.expireUnusedOlderThan(-1000);
		assertThat(registry.size()).isZero();
	}

	@Test
	void manualLockExpiresForOtherProcessesAndItsUnlockThrowsAConcurrentModificationException() throws Exception {
		ValkeyrieLockRegistry registry = manual(this.store);
		ValkeyrieLockRegistry other = otherProcess();
		DistributedLock mine = registry.obtain("foo");
		Lock theirs = other.obtain("foo");
		// Long enough for the other process's first attempt to come before the expiry on a busy machine.
		assertThat(mine.tryLock(Duration.ZERO, Timing.seconds(1))).isTrue();
		assertThat(theirs.tryLock()).isFalse();
		assertThat(theirs.tryLock(Timing.seconds(5).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		assertThat(mine.tryLock()).isFalse();
		assertThatExceptionOfType(ConcurrentModificationException.class).isThrownBy(mine::unlock)
			.isInstanceOf(LockLostException.class)
			.withMessageContaining("was lost while held (EXPIRED");
		theirs.unlock();
		registry.destroy();
		other.destroy();
	}

	@Test
	void outOfDateManualLockIsTakenByAnotherProcess() throws Exception {
		Lock mine = manual(this.store).obtain("foo");
		BlockingQueue<Integer> data = new LinkedBlockingQueue<>();
		mine.lockInterruptibly();
		Future<?> other = this.executor.submit(() -> {
			Lock theirs = otherProcess().obtain("foo");
			theirs.lockInterruptibly();
			try {
				data.add(1);
			}
			finally {
				theirs.unlock();
			}
			return null;
		});
		other.get(10, TimeUnit.SECONDS);
		data.add(2);
		assertThatExceptionOfType(ConcurrentModificationException.class).isThrownBy(mine::unlock);
		assertThat(data).containsExactly(1, 2);
	}

	/**
	 * Unlike {@code JdbcLockRegistry}, a nested {@code tryLock} after the lock expired does
	 * not take it again but fails (docs/compatibility.md): that is how
	 * {@code LockRegistryLeaderInitiator} notices that leadership was lost. A fresh
	 * acquisition after the owed unlocks works.
	 */
	@Test
	void reentrantTryLockAfterExpiryFailsAndAFreshOneSucceeds() throws Exception {
		ValkeyrieLockRegistry registry = manual(this.store);
		Lock lock = registry.obtain("foo");
		assertThat(lock.tryLock()).isTrue();
		Lock theirs = otherProcess().obtain("foo");
		assertThat(theirs.tryLock(Timing.seconds(5).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		theirs.unlock();
		assertThat(registry.obtain("foo")).isSameAs(lock);
		assertThat(lock.tryLock()).isFalse();
		assertThatExceptionOfType(ConcurrentModificationException.class).isThrownBy(lock::unlock);
		assertThat(lock.tryLock()).isTrue();
		lock.unlock();
	}

	@Test
	void manualLockRenewedWithALongerTtlStaysHeld() throws Exception {
		ValkeyrieLockRegistry registry = manual(this.store);
		ValkeyrieLockRegistry other = otherProcess();
		DistributedLock lock = registry.obtain("foo");
		Duration ttl = Timing.seconds(1);
		assertThat(lock.tryLock(Duration.ofMillis(100), ttl)).isTrue();
		try {
			registry.renewLock("foo", Timing.seconds(10));
			await().pollDelay(ttl.multipliedBy(2)).atMost(ttl.multipliedBy(3)).until(() -> true);
			assertThat(CompletableFuture.supplyAsync(() -> other.obtain("foo").tryLock()).get()).isFalse();
		}
		finally {
			lock.unlock();
		}
		registry.destroy();
		other.destroy();
	}

	@Test
	void automaticRenewalKeepsALockPastAnyTtlUntilUnlock() throws Exception {
		ValkeyrieLockRegistry registry = registry();
		DistributedLock lock = registry.obtain("foo");
		lock.lock();
		registry.renewLock("foo", SHORT_TTL);
		await().pollDelay(SHORT_TTL.multipliedBy(3)).atMost(Timing.seconds(2)).until(() -> true);
		assertThat(CompletableFuture.supplyAsync(() -> otherProcess().obtain("foo").tryLock()).get()).isFalse();
		assertThatNoException().isThrownBy(lock::unlock);
	}

	private static Throwable catchCause(Future<?> future) throws InterruptedException {
		try {
			future.get(10, TimeUnit.SECONDS);
		}
		catch (java.util.concurrent.ExecutionException ex) {
			return ex.getCause();
		}
		catch (java.util.concurrent.TimeoutException ex) {
			throw new AssertionError("No answer within 10 s", ex);
		}
		throw new AssertionError("Expected an exception");
	}

}
