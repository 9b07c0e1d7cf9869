package io.valkeyrie.store.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The executable form of CONTRACT.md: every rule, checked against a real backend. A
 * backend's {@code <Backend>ContractTest} extends this and only says how to configure a
 * store; every test gets its own namespace, and {@link #openSecond()} opens an independent
 * client (its own connection) on the same data for cross-client cases.
 */
public abstract class StoreContractTests {

	private final List<Store> opened = new CopyOnWriteArrayList<>();

	private String namespace = "";

	/**
	 * A configuration of the backend under test: backend name, endpoints and any option it
	 * needs. Called for every store a test opens; the suite sets the namespace.
	 */
	protected abstract StoreConfig.Builder storeConfig();

	@BeforeEach
	void assignNamespace(TestInfo info) {
		String method = info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("test");
		this.namespace = "contract/" + method + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	@AfterEach
	void closeStores() {
		List<Store> stores = new ArrayList<>(this.opened);
		this.opened.clear();
		for (Store store : stores) {
			store.close();
		}
	}

	/** The namespace of the current test. */
	protected final String namespace() {
		return this.namespace;
	}

	/** Open a store on the test's namespace. */
	protected final Store open() {
		return open(this.namespace);
	}

	/** Open a second, independent client on the test's namespace. */
	protected final Store openSecond() {
		return open(this.namespace);
	}

	/** Open a store on another namespace. */
	protected final Store open(String namespace) {
		return open(storeConfig().namespace(namespace));
	}

	/** Open a store from a configuration (closed after the test). */
	protected final Store open(StoreConfig.Builder config) {
		Store store = Stores.open(config.build());
		this.opened.add(store);
		return store;
	}

	/** The TTL timing tests use: the backend's minimum, at least one second. */
	protected Duration ttl(Store store) {
		Duration min = store.minimumTtl();
		return (min.compareTo(Duration.ofSeconds(1)) < 0) ? Duration.ofSeconds(1) : min;
	}

}
