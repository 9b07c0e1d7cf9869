package io.valkeyrie.boot.metadata;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.Watch;
import io.valkeyrie.store.WatchEvent;
import io.valkeyrie.store.WriteOptions;
import io.valkeyrie.store.internal.Keys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.integration.metadata.ListenableMetadataStore;
import org.springframework.integration.metadata.MetadataStoreListener;
import org.springframework.util.Assert;

/**
 * A Spring Integration {@link ListenableMetadataStore} on a {@link Store}, so that
 * idempotent receivers and file or FTP pollers share their state through any backend.
 * <p>
 * Each metadata key is one store key below a prefix, escaped into a single segment (a
 * metadata key may hold {@code /}, so {@code /tmp/a.txt} and {@code tmp/a.txt} stay
 * distinct). {@link #putIfAbsent} and {@link #replace} are compare-and-swap writes with
 * {@code atomicPut}; {@link #remove} is an {@code atomicDelete} of the value it returns.
 * <p>
 * Listeners hear every change made by any client: the first listener opens one
 * {@code watchTree} on the prefix, the last one removed closes it. After a watch gap the
 * store resyncs and listeners hear the difference, so what they saw converges.
 * Listeners run one at a time on the store's delivery thread for this watch.
 * <p>
 * Thread-safe. Every call makes one or a few requests to the store and fails with the
 * store's exceptions when it cannot be reached.
 */
public class ValkeyrieMetadataStore implements ListenableMetadataStore, DisposableBean {

	private static final Log logger = LogFactory.getLog(ValkeyrieMetadataStore.class);

	private final Store store;

	private final String prefix;

	private final List<MetadataStoreListener> listeners = new CopyOnWriteArrayList<>();

	private final Object monitor = new Object();

	private @Nullable Watch watch;

	/** The values the listeners have been told about, by metadata key; only touched by the watch. */
	private final Map<String, String> seen = new HashMap<>();

	/**
	 * Create a metadata store.
	 * @param store the store
	 * @param prefix the directory the metadata keys live below
	 */
	public ValkeyrieMetadataStore(Store store, String prefix) {
		this.store = Objects.requireNonNull(store, "'store' must not be null");
		this.prefix = Keys.dir(Objects.requireNonNull(prefix, "'prefix' must not be null"));
		Assert.isTrue(!this.prefix.isEmpty(), "'prefix' must not be empty");
	}

	/** The directory the metadata keys live below. */
	public String getPrefix() {
		return this.prefix;
	}

	@Override
	public void put(String key, String value) {
		Assert.notNull(value, "'value' must not be null");
		this.store.put(storeKey(key), value.getBytes(StandardCharsets.UTF_8), WriteOptions.NONE);
	}

	@Override
	public @Nullable String get(String key) {
		return this.store.find(storeKey(key)).map(KVPair::valueAsString).orElse(null);
	}

	@Override
	public @Nullable String remove(String key) {
		String storeKey = storeKey(key);
		while (true) {
			Optional<KVPair> pair = this.store.find(storeKey);
			if (pair.isEmpty()) {
				return null;
			}
			try {
				this.store.atomicDelete(storeKey, pair.get());
				return pair.get().valueAsString();
			}
			catch (KeyNotFoundException ex) {
				return null;
			}
			catch (KeyModifiedException ex) {
				// Written by someone else since we read it: remove the value that is there now.
			}
		}
	}

	@Override
	public @Nullable String putIfAbsent(String key, String value) {
		Assert.notNull(value, "'value' must not be null");
		String storeKey = storeKey(key);
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		while (true) {
			try {
				this.store.atomicPut(storeKey, bytes, null, WriteOptions.NONE);
				return null;
			}
			catch (KeyExistsException ex) {
				Optional<KVPair> existing = this.store.find(storeKey);
				if (existing.isPresent()) {
					return existing.get().valueAsString();
				}
				// Removed between the two calls: try to create it again.
			}
		}
	}

	@Override
	public boolean replace(String key, String oldValue, String newValue) {
		Assert.notNull(oldValue, "'oldValue' must not be null");
		Assert.notNull(newValue, "'newValue' must not be null");
		String storeKey = storeKey(key);
		byte[] bytes = newValue.getBytes(StandardCharsets.UTF_8);
		while (true) {
			Optional<KVPair> pair = this.store.find(storeKey);
			if (pair.isEmpty() || !pair.get().valueAsString().equals(oldValue)) {
				return false;
			}
			try {
				this.store.atomicPut(storeKey, bytes, pair.get(), WriteOptions.NONE);
				return true;
			}
			catch (KeyNotFoundException ex) {
				return false;
			}
			catch (KeyModifiedException ex) {
				// Rewritten since we read it, perhaps with the same value: compare again.
			}
		}
	}

	@Override
	public void addListener(MetadataStoreListener listener) {
		Assert.notNull(listener, "'listener' must not be null");
		synchronized (this.monitor) {
			this.listeners.add(listener);
			if (this.watch == null) {
				this.watch = this.store.watchTree(this.prefix, this::onEvent);
			}
		}
	}

	@Override
	public void removeListener(MetadataStoreListener listener) {
		synchronized (this.monitor) {
			this.listeners.remove(listener);
			if (this.listeners.isEmpty()) {
				closeWatch();
			}
		}
	}

	/** Stop the watch behind the listeners; the store itself belongs to the caller. */
	@Override
	public void destroy() {
		synchronized (this.monitor) {
			this.listeners.clear();
			closeWatch();
		}
	}

	private void closeWatch() {
		if (this.watch != null) {
			this.watch.close();
			this.watch = null;
			this.seen.clear();
		}
	}

	private void onEvent(WatchEvent event) {
		if (event instanceof WatchEvent.Snapshot snapshot) {
			Map<String, String> now = new HashMap<>();
			snapshot.current().forEach((storeKey, pair) -> {
				String key = metadataKey(storeKey);
				if (key != null) {
					now.put(key, pair.valueAsString());
				}
			});
			// The first snapshot is the starting state; a resync's difference is what was missed.
			if (snapshot.isResync()) {
				Map.copyOf(this.seen).forEach((key, value) -> {
					if (!now.containsKey(key)) {
						removed(key, value);
					}
				});
				now.forEach((key, value) -> {
					if (!value.equals(this.seen.get(key))) {
						written(key, value);
					}
				});
			}
			this.seen.clear();
			this.seen.putAll(now);
		}
		else if (event instanceof WatchEvent.Put put) {
			String key = metadataKey(put.key());
			if (key != null) {
				written(key, put.pair().valueAsString());
			}
		}
		else if (event instanceof WatchEvent.Delete delete) {
			String key = metadataKey(delete.key());
			String old = (key != null) ? this.seen.get(key) : null;
			if (key != null) {
				removed(key, (old != null) ? old : (delete.previous() != null) ? delete.previous().valueAsString() : "");
			}
		}
	}

	private void written(String key, String value) {
		boolean added = this.seen.put(key, value) == null;
		for (MetadataStoreListener listener : this.listeners) {
			try {
				if (added) {
					listener.onAdd(key, value);
				}
				else {
					listener.onUpdate(key, value);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Metadata listener " + listener + " failed on '" + key + "'", ex);
			}
		}
	}

	private void removed(String key, String oldValue) {
		this.seen.remove(key);
		for (MetadataStoreListener listener : this.listeners) {
			try {
				listener.onRemove(key, oldValue);
			}
			catch (RuntimeException ex) {
				logger.warn("Metadata listener " + listener + " failed on '" + key + "'", ex);
			}
		}
	}

	/** The store key of a metadata key: one escaped segment below the prefix. */
	String storeKey(String key) {
		Assert.hasLength(key, "'key' must not be empty");
		String segment = Keys.escapeSegment(key, (cp) -> cp != '/' && cp >= 0x20 && cp != 0x7f);
		if (segment.equals(".") || segment.equals("..")) {
			segment = segment.replace(".", "%2E");
		}
		return this.prefix + "/" + segment;
	}

	private @Nullable String metadataKey(String storeKey) {
		String relative = Keys.relativize(this.prefix, storeKey);
		return (relative.isEmpty() || relative.indexOf('/') >= 0) ? null : Keys.unescapeSegment(relative);
	}

}
