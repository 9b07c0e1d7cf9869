package io.valkeyrie.store.internal;

import java.util.concurrent.ThreadFactory;

/**
 * Threads of valkeyrie's own that never keep the JVM alive: a store or a watcher that is not
 * closed must not stop the application from exiting.
 */
public final class DaemonThreads {

	private DaemonThreads() {
	}

	/**
	 * A factory of daemon threads that all bear the given name, for an executor of one thread.
	 * @param name the thread name
	 * @return the factory
	 */
	public static ThreadFactory named(String name) {
		return (runnable) -> {
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(true);
			return thread;
		};
	}

}
