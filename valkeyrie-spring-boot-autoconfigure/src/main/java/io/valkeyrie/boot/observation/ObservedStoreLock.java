package io.valkeyrie.boot.observation;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Set;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockLoss;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.StoreLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link StoreLock} that observes how long acquisitions wait and how long the lock is
 * held.
 */
final class ObservedStoreLock implements StoreLock {

	static final String WAIT_OBSERVATION = "valkeyrie.lock.wait";

	static final String HELD_OBSERVATION = "valkeyrie.lock.held";

	private final StoreLock delegate;

	private final String backend;

	private final ObservationRegistry registry;

	private final Set<LockLease> heldLeases;

	private volatile @Nullable ObservedLease lease;

	ObservedStoreLock(StoreLock delegate, String backend, ObservationRegistry registry,
			Set<LockLease> heldLeases) {
		this.delegate = delegate;
		this.backend = backend;
		this.registry = registry;
		this.heldLeases = heldLeases;
	}

	@Override
	public String key() {
		return this.delegate.key();
	}

	@Override
	public LockOptions options() {
		return this.delegate.options();
	}

	@Override
	public LockLease lock() {
		return acquire(() -> Optional.of(this.delegate.lock())).orElseThrow();
	}

	@Override
	public Optional<LockLease> tryLock() {
		return acquire(this.delegate::tryLock);
	}

	@Override
	public Optional<LockLease> tryLock(Duration timeout) {
		return acquire(() -> this.delegate.tryLock(timeout));
	}

	@Override
	public void unlock() {
		ObservedLease current = this.lease;
		try {
			this.delegate.unlock();
		}
		finally {
			if (current != null) {
				current.ended("released");
			}
		}
	}

	@Override
	public boolean isHeld() {
		return this.delegate.isHeld();
	}

	private Optional<LockLease> acquire(Supplier<Optional<LockLease>> attempt) {
		Observation wait = Observation.createNotStarted(WAIT_OBSERVATION, this.registry)
			.lowCardinalityKeyValue("backend", this.backend)
			.start();
		String outcome = "error";
		try {
			Optional<LockLease> acquired = attempt.get();
			outcome = acquired.isPresent() ? "acquired" : "timeout";
			return acquired.map(this::held);
		}
		catch (RuntimeException ex) {
			wait.error(ex);
			throw ex;
		}
		finally {
			wait.lowCardinalityKeyValue("outcome", outcome).stop();
		}
	}

	private LockLease held(LockLease acquired) {
		Observation held = Observation.createNotStarted(HELD_OBSERVATION, this.registry)
			.lowCardinalityKeyValue("backend", this.backend)
			.start();
		ObservedLease observed = new ObservedLease(acquired, held);
		this.lease = observed;
		this.heldLeases.add(observed);
		acquired.lost().thenRun(() -> observed.ended("lost"));
		return observed;
	}

	private final class ObservedLease implements LockLease {

		private final LockLease delegate;

		private final Observation held;

		private final AtomicBoolean ended = new AtomicBoolean();

		ObservedLease(LockLease delegate, Observation held) {
			this.delegate = delegate;
			this.held = held;
		}

		void ended(String outcome) {
			if (this.ended.compareAndSet(false, true)) {
				this.held.lowCardinalityKeyValue("outcome", outcome).stop();
				ObservedStoreLock.this.heldLeases.remove(this);
			}
		}

		@Override
		public String key() {
			return this.delegate.key();
		}

		@Override
		public long fencingToken() {
			return this.delegate.fencingToken();
		}

		@Override
		public boolean isValid() {
			return this.delegate.isValid();
		}

		@Override
		public CompletionStage<LockLoss> lost() {
			return this.delegate.lost();
		}

		@Override
		public void close() {
			try {
				this.delegate.close();
			}
			finally {
				ended("released");
			}
		}

		@Override
		public String toString() {
			return this.delegate.toString();
		}

	}

}
