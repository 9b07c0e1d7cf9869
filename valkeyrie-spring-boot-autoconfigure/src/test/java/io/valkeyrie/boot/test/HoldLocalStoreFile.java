package io.valkeyrie.boot.test;

import java.io.IOException;

import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.Stores;

/**
 * Run in a separate JVM: opens the local store file its argument names, prints
 * {@code ready}, and keeps it open until its standard input closes.
 */
public final class HoldLocalStoreFile {

	private HoldLocalStoreFile() {
	}

	public static void main(String[] args) throws IOException {
		try (Store store = Stores.open(StoreConfig.builder("local").option("path", args[0]).build())) {
			store.put("held", "yes");
			System.out.println("ready");
			System.out.flush();
			while (System.in.read() != -1) {
				// Only the end of the input (the test closing it, or dying) matters.
			}
		}
	}

}
