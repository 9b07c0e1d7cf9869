package io.valkeyrie.store.consul;

import java.nio.charset.StandardCharsets;

import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.internal.EpochGuard;

import org.jspecify.annotations.Nullable;

/**
 * The namespace's epoch marker in Consul: the key {@code <bookkeeping>/epoch/<namespace>/marker}
 * (its namespace part is the store's key prefix, so two namespaces never share one), gone
 * when a {@code -dev} agent restarts or the data directory is replaced.
 */
final class ConsulEpochMarker implements EpochGuard.Marker {

	private final ConsulStore store;

	private final ConsulHttp http;

	private final String key;

	ConsulEpochMarker(ConsulStore store, ConsulHttp http, String bookkeepingPrefix, String namespacePrefix) {
		this.store = store;
		this.http = http;
		this.key = bookkeepingPrefix + "/epoch/" + namespacePrefix + "marker";
	}

	@Override
	public @Nullable String read() {
		ConsulEntry entry = this.store.read(this.key, "consistent");
		return (entry != null) ? new String(entry.value(), StandardCharsets.UTF_8) : null;
	}

	@Override
	public boolean create(String text) {
		return write("cas=0", text);
	}

	@Override
	public boolean replace(String expected, String text) {
		ConsulEntry entry = this.store.read(this.key, "consistent");
		if (entry == null || !expected.equals(new String(entry.value(), StandardCharsets.UTF_8))) {
			return false;
		}
		return write("cas=" + entry.modifyIndex(), text);
	}

	private boolean write(String condition, String text) {
		ConsulHttp.Response response = this.http.put(ConsulHttp.kvPath(this.key), condition,
				text.getBytes(StandardCharsets.UTF_8));
		if (!response.ok()) {
			throw new StoreException("consul write of the epoch marker failed: " + response.status() + " " + response.text());
		}
		return "true".equals(response.text());
	}

}
