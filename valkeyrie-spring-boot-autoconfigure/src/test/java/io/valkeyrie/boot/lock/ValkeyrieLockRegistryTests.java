package io.valkeyrie.boot.lock;

import java.time.Duration;
import java.util.List;
import java.util.ConcurrentModificationException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;

import io.valkeyrie.store.LockLoss;
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
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ValkeyrieLockRegistry} on two local stores sharing one in-memory
 * database, as two processes would share a server.
 */
class ValkeyrieLockRegistryTests {

	private final List<Object> events = new CopyOnWriteArrayList<>();

	private Store first;

	private Store second;

	private ValkeyrieLockRegistry registry;

	private ValkeyrieLockRegistry other;

	@BeforeEach
	void openStores() {
		String database = "locks-" + UUID.randomUUID();
		this.first = Stores.open(StoreConfig.builder("local").option("name", database).build());
		this.second = Stores.open(StoreConfig.builder("local").option("name", database).build());
		this.registry = new ValkeyrieLockRegistry(this.first);
		this.registry.setApplicationEventPublisher(this.events::add);
		this.other = new ValkeyrieLockRegistry(this.second);
	}

	@AfterEach
	void closeStores() {
		this.first.close();
		this.second.close();
	}

	@Test
	void lockIsReentrantForTheOwningThreadAndReleasedByTheOutermostUnlock() throws Exception {
		DistributedLock lock = this.registry.obtain("orders");
		lock.lock();
		assertThat(lock.tryLock(Duration.ofMillis(10), Duration.ofSeconds(5))).isTrue();
		lock.unlock();
		assertThat(this.other.obtain("orders").tryLock()).isFalse();
		lock.unlock();
		Lock theirs = this.other.obtain("orders");
		assertThat(theirs.tryLock(Timing.seconds(1).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		theirs.unlock();
	}

	@Test
	void registriesOnTwoStoresExcludeEachOther() throws Exception {
		Lock mine = this.registry.obtain("jobs/nightly");
		Lock theirs = this.other.obtain("jobs/nightly");
		assertThat(mine.tryLock()).isTrue();
		assertThat(theirs.tryLock(100, TimeUnit.MILLISECONDS)).isFalse();
		CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
			try {
				return theirs.tryLock(Timing.seconds(5).toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		mine.unlock();
		assertThat(waiting.get(Timing.seconds(5).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		assertThat(mine.tryLock()).isFalse();
	}

	@Test
	void otherThreadsOfTheSameRegistryAreExcluded() throws Exception {
		Lock lock = this.registry.obtain("shared");
		lock.lock();
		assertThat(CompletableFuture.supplyAsync(lock::tryLock).get()).isFalse();
		ExecutionException unlockFromOtherThread = catchExecution(() -> CompletableFuture.runAsync(lock::unlock).get());
		assertThat(unlockFromOtherThread).cause()
			.isInstanceOf(IllegalMonitorStateException.class)
			.hasMessageContaining("not held by the current thread");
		lock.unlock();
		assertThat(CompletableFuture.supplyAsync(() -> {
			boolean acquired = lock.tryLock();
			lock.unlock();
			return acquired;
		}).get()).isTrue();
	}

	@Test
	void unlockWithoutHoldingFails() {
		assertThatExceptionOfType(IllegalMonitorStateException.class)
			.isThrownBy(() -> this.registry.obtain("never").unlock())
			.withMessageContaining("not held");
	}

	@Test
	void lostLockIsPublishedAndItsUnlockFails() {
		Lock lock = this.registry.obtain("fragile");
		lock.lock();
		this.first.close();
		await().atMost(Timing.seconds(5)).until(() -> !this.events.isEmpty());
		assertThat(this.events).singleElement().isInstanceOfSatisfying(ValkeyrieLockLostEvent.class, (event) -> {
			assertThat(event.getLockKey()).isEqualTo("fragile");
			assertThat(event.getReason()).isEqualTo(LockLoss.Reason.STORE_CLOSED);
			assertThat(event.getSource()).isSameAs(this.registry);
		});
		assertThatExceptionOfType(ConcurrentModificationException.class).isThrownBy(lock::unlock)
			.isInstanceOf(LockLostException.class)
			.withMessageContaining("Lock 'fragile' was lost while held");
		assertThatExceptionOfType(IllegalMonitorStateException.class).isThrownBy(lock::unlock);
	}

	@Test
	void nestedTryLockAfterALossFailsSoALeaderNoticesAndTheOwedUnlockReportsTheLoss() throws Exception {
		Lock lock = this.registry.obtain("leader");
		assertThat(lock.tryLock(100, TimeUnit.MILLISECONDS)).isTrue();
		assertThat(lock.tryLock(100, TimeUnit.MILLISECONDS)).isTrue();
		lock.unlock();
		this.first.close();
		assertThat(lock.tryLock(100, TimeUnit.MILLISECONDS)).isFalse();
		assertThatExceptionOfType(LockLostException.class).isThrownBy(lock::unlock);
	}

	@Test
	void executeLockedTimesOutWhileAnotherProcessHoldsTheLock() throws Exception {
		Lock theirs = this.other.obtain("report");
		theirs.lock();
		assertThatExceptionOfType(TimeoutException.class)
			.isThrownBy(() -> this.registry.executeLocked("report", Duration.ofMillis(100), () -> {
			}));
		theirs.unlock();
		assertThat(this.registry.executeLocked("report", Timing.seconds(2), () -> "done")).isEqualTo("done");
	}

	@Test
	void interruptedLockInterruptiblyGivesUp() throws Exception {
		Lock theirs = this.other.obtain("busy");
		theirs.lock();
		Lock mine = this.registry.obtain("busy");
		AtomicReference<Throwable> failure = new AtomicReference<>();
		CountDownLatch started = new CountDownLatch(1);
		Thread waiter = new Thread(() -> {
			started.countDown();
			try {
				mine.lockInterruptibly();
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		});
		waiter.start();
		started.await();
		waiter.interrupt();
		waiter.join(Timing.seconds(5).toMillis());
		assertThat(waiter.isAlive()).isFalse();
		assertThat(failure.get()).isInstanceOf(InterruptedException.class);
		theirs.unlock();
		assertThat(mine.tryLock(Timing.seconds(1).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		mine.unlock();
	}

	@Test
	void renewLockChecksThatTheCurrentThreadHoldsTheLockAndAcceptsAnyTtl() {
		DistributedLock lock = this.registry.obtain("renewed");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.registry.renewLock("renewed"));
		lock.lock(Duration.ofSeconds(20));
		this.registry.renewLock("renewed");
		this.registry.renewLock("renewed", Duration.ofSeconds(20));
		// Held locks are renewed until unlock, which outlasts any TTL.
		this.registry.renewLock("renewed", Duration.ofSeconds(30));
		assertThat(CompletableFuture.supplyAsync(() -> this.other.obtain("renewed").tryLock()).join()).isFalse();
		lock.unlock();
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.registry.renewLock("renewed"));
	}

	@Test
	void manualRenewalExpiresAHeldLockUnlessANestedAcquisitionRenewsIt() throws Exception {
		Duration ttl = Timing.seconds(1);
		ValkeyrieLockRegistry manual = new ValkeyrieLockRegistry(this.first, "locks", ttl, LockRenewal.MANUAL);
		manual.setApplicationEventPublisher(this.events::add);
		Lock lock = manual.obtain("heartbeat");
		assertThat(lock.tryLock()).isTrue();
		long deadline = System.nanoTime() + ttl.multipliedBy(2).toNanos();
		while (System.nanoTime() < deadline) {
			// What LockRegistryLeaderInitiator does on every heartbeat.
			assertThat(lock.tryLock(10, TimeUnit.MILLISECONDS)).isTrue();
			lock.unlock();
			await().pollDelay(ttl.dividedBy(4)).atMost(ttl).until(() -> true);
		}
		assertThat(this.other.obtain("heartbeat").tryLock()).isFalse();
		await().atMost(ttl.plus(Timing.seconds(2))).until(() -> !this.events.isEmpty());
		assertThat(this.events).singleElement()
			.isInstanceOfSatisfying(ValkeyrieLockLostEvent.class,
					(event) -> assertThat(event.getReason()).isEqualTo(LockLoss.Reason.EXPIRED));
		assertThat(this.other.obtain("heartbeat").tryLock()).isTrue();
		assertThatExceptionOfType(LockLostException.class).isThrownBy(lock::unlock);
		manual.destroy();
	}

	@Test
	void unusedLocksExpireButHeldOnesStay() {
		Lock idle = this.registry.obtain("idle");
		Lock held = this.registry.obtain("held");
		held.lock();
		assertThat(this.registry.obtain("idle")).isSameAs(idle);
		await().atMost(Timing.seconds(1)).untilAsserted(() -> {
			this.registry.expireUnusedOlderThan(0);
			assertThat(this.registry.obtain("idle")).isNotSameAs(idle);
		});
		this.registry.expireUnusedOlderThan(0);
		assertThat(this.registry.obtain("held")).isSameAs(held);
		held.unlock();
	}

	@Test
	void locksLiveUnderThePrefix() {
		Lock lock = new ValkeyrieLockRegistry(this.first, "/app/locks/", Duration.ofSeconds(5)).obtain("a");
		lock.lock();
		assertThat(this.second.newLock("app/locks/a").tryLock()).isEmpty();
		lock.unlock();
	}

	@Test
	void lockKeysMustBeStrings() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.obtain(42))
			.withMessageContaining("'lockKey' must be a String");
	}

	private static ExecutionException catchExecution(Execution execution) {
		try {
			execution.run();
		}
		catch (ExecutionException ex) {
			return ex;
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
		throw new AssertionError("Expected an ExecutionException");
	}

	@FunctionalInterface
	interface Execution {

		void run() throws ExecutionException, InterruptedException;

	}

}
