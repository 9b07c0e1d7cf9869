package io.valkeyrie.store.consul;

import java.nio.charset.StandardCharsets;

import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.EpochGuard;

import org.jspecify.annotations.Nullable;

/**
 * The namespace's epoch marker in Consul: the key {@code <bookkeeping>/epoch/<namespace>/marker}
 * (its namespace part is the store's key prefix, so two namespaces never share one), gone
 * when a {@code -dev} agent restarts or the data directory is replaced.
 */
final class ConsulEpochMarker implements EpochGuard.Marker {

	private final ConsulHttp http;

	private final String key;

	ConsulEpochMarker(ConsulHttp http, String bookkeepingPrefix, String namespacePrefix) {
		this.http = http;
		this.key = bookkeepingPrefix + "/epoch/" + namespacePrefix + "marker";
	}

	@Override
	public @Nullable String read() {
		ConsulEntry entry = entry();
		return (entry != null) ? new String(entry.value(), StandardCharsets.UTF_8) : null;
	}

	private @Nullable ConsulEntry entry() {
		ConsulHttp.Response response = this.http.get(ConsulHttp.kvPath(this.key), "consistent");
		if (response.status() == 404) {
			return null;
		}
		check(response);
		return ConsulJson.first(response.body());
	}

	@Override
	public boolean create(String text) {
		return write("cas=0", text);
	}

	@Override
	public boolean replace(String expected, String text) {
		ConsulEntry entry = entry();
		if (entry == null || !expected.equals(new String(entry.value(), StandardCharsets.UTF_8))) {
			return false;
		}
		return write("cas=" + entry.modifyIndex(), text);
	}

	private boolean write(String condition, String text) {
		ConsulHttp.Response response = this.http.put(ConsulHttp.kvPath(this.key), condition,
				text.getBytes(StandardCharsets.UTF_8));
		check(response);
		return "true".equals(response.text());
	}

	private static void check(ConsulHttp.Response response) {
		if (response.status() >= 500) {
			// No leader yet (a restarted agent electing itself): the check is tried again.
			throw new StoreUnavailableException("consul", "the epoch marker: " + response.status() + " " + response.text(), null);
		}
		if (!response.ok()) {
			throw new StoreException("consul request of the epoch marker failed: " + response.status() + " " + response.text());
		}
	}

}
