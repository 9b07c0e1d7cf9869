package io.valkeyrie.store.local;

import java.nio.file.Path;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.contract.StoreContractTests;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract suite against the local backend: every store of a test opens the same file,
 * so they share one database like independent clients of one server.
 */
class LocalContractTest extends StoreContractTests {

	@TempDir
	Path directory;

	@Override
	protected StoreConfig.Builder storeConfig() {
		return StoreConfig.builder("local").option("path", this.directory.resolve("contract.mv"));
	}

	@Override
	protected boolean sharedWithOtherProcesses() {
		// The database file is locked by the process that opened it.
		return false;
	}

}
