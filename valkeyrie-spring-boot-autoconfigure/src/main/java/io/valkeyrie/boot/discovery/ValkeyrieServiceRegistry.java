package io.valkeyrie.boot.discovery;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.DeferredStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * A {@link ServiceRegistry} that keeps each registered instance as a keep-alive key
 * {@code <root>/<service-id>/<instance-id>} holding its host, port, secure flag, zone,
 * status and metadata as JSON. The key lives while the store is open and healthy, and
 * disappears within the TTL after this process crashes or loses the server;
 * {@link #deregister} removes it at once.
 * <p>
 * The status is {@code UP} or {@code OUT_OF_SERVICE}; discovery clients only return
 * instances that are {@code UP}.
 * <p>
 * Thread-safe. Every call makes one request to the store and fails with the store's
 * exceptions when it cannot be reached.
 * <p>
 * A store still connecting in the background ({@link DeferredStore}) cannot tell its
 * minimum TTL yet: the TTL is then checked (and a {@code null} one chosen) on the first
 * write, and that write fails if it is below the minimum.
 */
public class ValkeyrieServiceRegistry implements ServiceRegistry<ValkeyrieRegistration> {

	/** The TTL when none is given (raised to the store's minimum if that is larger). */
	public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

	private static final Log logger = LogFactory.getLog(ValkeyrieServiceRegistry.class);

	private final Store store;

	private final InstanceCodec codec;

	private final @Nullable Duration ttl;

	/** The keep-alive options, once the TTL is checked against the store's minimum. */
	private volatile @Nullable WriteOptions writeOptions;

	/**
	 * Create a registry.
	 * @param store the store
	 * @param root the directory below which instances live
	 * @param ttl how long an instance outlives a crashed or cut-off process; {@code null}
	 * for {@link #DEFAULT_TTL} or the store's minimum TTL if that is larger
	 * @throws IllegalArgumentException if {@code ttl} is below the store's minimum TTL
	 * (checked on the first write instead if the store is still connecting)
	 */
	public ValkeyrieServiceRegistry(Store store, String root, @Nullable Duration ttl) {
		this.store = Objects.requireNonNull(store, "'store' must not be null");
		this.codec = new InstanceCodec(Objects.requireNonNull(root, "'root' must not be null"));
		this.ttl = ttl;
		if (!DeferredStore.isConnecting(store)) {
			writeOptions();
		}
	}

	/**
	 * Check that a TTL is one the store honours.
	 * @param store the store
	 * @param ttl the TTL
	 * @throws IllegalArgumentException if {@code ttl} is below the store's minimum TTL
	 */
	public static void checkTtl(Store store, Duration ttl) {
		Objects.requireNonNull(ttl, "'ttl' must not be null");
		if (ttl.compareTo(store.minimumTtl()) < 0) {
			throw new IllegalArgumentException("'ttl' (" + BackendOptions.format(ttl) + ") is below the " + store.backend()
					+ " store's minimum TTL of " + BackendOptions.format(store.minimumTtl()));
		}
	}

	/**
	 * Check that a service or instance id can be one segment of a key.
	 * @param what what the value is, for the message ("service id")
	 * @param value the id
	 * @throws IllegalArgumentException if it is empty, holds a {@code /} or is not a valid key
	 */
	public static void checkId(String what, String value) {
		InstanceCodec.segment(what, value);
	}

	/** The directory below which instances live. */
	public String getRoot() {
		return this.codec.root();
	}

	/**
	 * How long an instance outlives a crashed or cut-off process.
	 * @throws io.valkeyrie.store.StoreUnavailableException if no TTL was given and the
	 * store has not connected yet (the default depends on the server)
	 */
	public Duration getTtl() {
		Duration ttl = this.ttl;
		return (ttl != null) ? ttl : Objects.requireNonNull(writeOptions().ttl());
	}

	/** The store the instances are written to. */
	Store getStore() {
		return this.store;
	}

	@Override
	public void register(ValkeyrieRegistration registration) {
		if (registration.getPort() <= 0) {
			throw new IllegalArgumentException("Cannot register " + registration.getServiceId() + "/"
					+ registration.getInstanceId() + " without a port");
		}
		write(registration);
		logger.info("Registered " + registration + " as " + key(registration) + " in the " + this.store.backend()
				+ " store");
	}

	@Override
	public void deregister(ValkeyrieRegistration registration) {
		try {
			this.store.delete(key(registration));
			logger.info("Deregistered " + registration);
		}
		catch (KeyNotFoundException ex) {
			// Already gone (expired, or deregistered twice): the goal is met.
		}
	}

	@Override
	public void close() {
		// The store belongs to the caller; instances go with deregister or the store's close.
	}

	/**
	 * Set the status of a registered instance.
	 * @param registration the instance
	 * @param status {@code UP} or {@code OUT_OF_SERVICE} (in any case)
	 * @throws IllegalArgumentException for another status
	 */
	@Override
	public void setStatus(ValkeyrieRegistration registration, String status) {
		String normal = Objects.requireNonNull(status, "'status' must not be null").toUpperCase(Locale.ROOT);
		if (!normal.equals(ValkeyrieServiceInstance.UP) && !normal.equals(ValkeyrieServiceInstance.OUT_OF_SERVICE)) {
			throw new IllegalArgumentException("Unknown status '" + status + "': use UP or OUT_OF_SERVICE");
		}
		registration.setStatus(normal);
		write(registration);
	}

	/**
	 * The status the store holds for an instance.
	 * @return {@code UP} or {@code OUT_OF_SERVICE}, or {@code null} if it is not registered
	 */
	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T getStatus(ValkeyrieRegistration registration) {
		String key = key(registration);
		Optional<KVPair> pair = this.store.find(key);
		if (pair.isEmpty()) {
			return null;
		}
		ValkeyrieServiceInstance instance = this.codec.decode(key, pair.get().value());
		return (instance != null) ? (T) instance.getStatus() : null;
	}

	private void write(ValkeyrieRegistration registration) {
		this.store.put(key(registration), this.codec.encode(registration.toInstance()), writeOptions());
	}

	private WriteOptions writeOptions() {
		WriteOptions options = this.writeOptions;
		if (options == null) {
			Duration ttl = this.ttl;
			if (ttl == null) {
				Duration minimum = this.store.minimumTtl();
				ttl = (DEFAULT_TTL.compareTo(minimum) < 0) ? minimum : DEFAULT_TTL;
			}
			else {
				checkTtl(this.store, ttl);
			}
			options = WriteOptions.keepAlive(ttl);
			this.writeOptions = options;
		}
		return options;
	}

	private String key(ValkeyrieRegistration registration) {
		return this.codec.key(registration.getServiceId(), registration.getInstanceId());
	}

}
