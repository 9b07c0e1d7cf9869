package io.valkeyrie.boot.observation;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockLease;
import io.valkeyrie.store.LockOptions;
import io.valkeyrie.store.ReadOptions;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreLock;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchListener;
import io.valkeyrie.store.WatchOptions;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.DelegatingStore;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A {@link Store} that reports every call to Micrometer's {@link ObservationRegistry}.
 * <p>
 * Each operation is an observation named {@value #STORE_OBSERVATION} with the low
 * cardinality keys {@code backend}, {@code operation} ({@code put}, {@code get},
 * {@code atomicPut}, ...) and {@code outcome}: {@code success}, {@code not_found}
 * (key not found), {@code conflict} (key exists or modified: a compare-and-swap that lost)
 * or {@code error} (anything else, also recorded as the observation's error). Locks made by
 * {@link #newLock} observe how long acquisitions wait ({@value ObservedStoreLock#WAIT_OBSERVATION},
 * outcome {@code acquired} or {@code timeout}) and how long locks are held
 * ({@value ObservedStoreLock#HELD_OBSERVATION}, outcome {@code released} or
 * {@code lost}). Keys and values are never observed.
 * <p>
 * {@link #activeWatches()} and {@link #heldLocks()} count what was opened through this
 * store, for gauges. Thread-safe like the store it wraps.
 */
public class ObservedStore implements DelegatingStore {

	/** The name of the observation of store operations. */
	public static final String STORE_OBSERVATION = "valkeyrie.store";

	private final Store delegate;

	private final ObservationRegistry registry;

	private final Set<Watch> watches = ConcurrentHashMap.newKeySet();

	private final Set<LockLease> heldLeases = ConcurrentHashMap.newKeySet();

	/**
	 * Observe a store.
	 * @param delegate the store
	 * @param registry the registry
	 */
	public ObservedStore(Store delegate, ObservationRegistry registry) {
		Assert.notNull(delegate, "'delegate' must not be null");
		Assert.notNull(registry, "'registry' must not be null");
		this.delegate = delegate;
		this.registry = registry;
	}

	/** The observed store. */
	@Override
	public Store getDelegate() {
		return this.delegate;
	}

	/** The number of watches opened through this store that are still active. */
	public int activeWatches() {
		this.watches.removeIf((watch) -> !watch.isActive());
		return this.watches.size();
	}

	/** The number of locks acquired through this store that are held. */
	public int heldLocks() {
		return this.heldLeases.size();
	}

	@Override
	public String backend() {
		return this.delegate.backend();
	}

	@Override
	public String namespace() {
		return this.delegate.namespace();
	}

	@Override
	public java.time.Duration minimumTtl() {
		return this.delegate.minimumTtl();
	}

	@Override
	public java.time.Duration minimumLockTtl() {
		return this.delegate.minimumLockTtl();
	}

	@Override
	public int maxValueSize() {
		return this.delegate.maxValueSize();
	}

	@Override
	public List<String> endpoints() {
		return this.delegate.endpoints();
	}

	@Override
	public Map<String, Object> serverInfo() {
		return this.delegate.serverInfo();
	}

	@Override
	public void put(String key, byte @Nullable [] value, WriteOptions options) {
		observe("put", () -> {
			this.delegate.put(key, value, options);
			return null;
		});
	}

	@Override
	public KVPair get(String key, ReadOptions options) {
		return observe("get", () -> this.delegate.get(key, options));
	}

	@Override
	public Optional<KVPair> find(String key) {
		return observe("find", () -> this.delegate.find(key));
	}

	@Override
	public boolean exists(String key, ReadOptions options) {
		return observe("exists", () -> this.delegate.exists(key, options));
	}

	@Override
	public void delete(String key) {
		observe("delete", () -> {
			this.delegate.delete(key);
			return null;
		});
	}

	@Override
	public List<KVPair> list(String dir, ReadOptions options) {
		return observe("list", () -> this.delegate.list(dir, options));
	}

	@Override
	public void deleteTree(String dir) {
		observe("deleteTree", () -> {
			this.delegate.deleteTree(dir);
			return null;
		});
	}

	@Override
	public KVPair atomicPut(String key, byte @Nullable [] value, @Nullable KVPair previous, WriteOptions options) {
		return observe("atomicPut", () -> this.delegate.atomicPut(key, value, previous, options));
	}

	@Override
	public void atomicDelete(String key, @Nullable KVPair previous) {
		observe("atomicDelete", () -> {
			this.delegate.atomicDelete(key, previous);
			return null;
		});
	}

	@Override
	public Watch watch(String key, WatchOptions options, WatchListener listener) {
		Watch watch = observe("watch", () -> this.delegate.watch(key, options, listener));
		this.watches.add(watch);
		return watch;
	}

	@Override
	public Watch watchTree(String dir, WatchOptions options, WatchListener listener) {
		Watch watch = observe("watchTree", () -> this.delegate.watchTree(dir, options, listener));
		this.watches.add(watch);
		return watch;
	}

	@Override
	public StoreLock newLock(String key, LockOptions options) {
		return new ObservedStoreLock(this.delegate.newLock(key, options), this.delegate.backend(), this.registry,
				this.heldLeases);
	}

	@Override
	public boolean isClosed() {
		return this.delegate.isClosed();
	}

	@Override
	public void close() {
		this.delegate.close();
	}

	private <T> T observe(String operation, Supplier<T> call) {
		Observation observation = Observation.createNotStarted(STORE_OBSERVATION, this.registry)
			.contextualName("valkeyrie " + operation)
			.lowCardinalityKeyValue("backend", this.delegate.backend())
			.lowCardinalityKeyValue("operation", operation)
			.start();
		String outcome = "error";
		try (Observation.Scope scope = observation.openScope()) {
			T result = call.get();
			outcome = "success";
			return result;
		}
		catch (KeyNotFoundException ex) {
			outcome = "not_found";
			throw ex;
		}
		catch (KeyExistsException | KeyModifiedException ex) {
			outcome = "conflict";
			throw ex;
		}
		catch (RuntimeException ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.lowCardinalityKeyValue("outcome", outcome).stop();
		}
	}

	@Override
	public String toString() {
		return "ObservedStore[" + this.delegate + "]";
	}

}
