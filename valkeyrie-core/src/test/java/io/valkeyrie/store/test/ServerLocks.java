package io.valkeyrie.store.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Lets several test JVMs share the test servers: before a top-level test class runs, it takes
 * a file lock per server the class uses ({@link ServerUse}), shared or exclusive, in the
 * directory named by the system property {@code valkeyrie.test.locks}, and releases them when
 * the class ends. File locks are held per process, so they order classes across the JVMs of
 * one build; a class that restarts the Redis server never runs beside one that writes to it.
 * Locks are taken in name order, so two classes never wait on each other in a cycle.
 * <p>
 * Without the property (one JVM, or another module reusing the test support) it does nothing.
 */
public final class ServerLocks implements TestExecutionListener {

	/** The system property naming the directory of the lock files. */
	public static final String DIRECTORY = "valkeyrie.test.locks";

	private final Map<String, List<FileLock>> held = new ConcurrentHashMap<>();

	@Override
	public void executionStarted(TestIdentifier identifier) {
		String directory = System.getProperty(DIRECTORY);
		Class<?> testClass = topLevelClass(identifier);
		if (directory == null || testClass == null) {
			return;
		}
		ServerUse use = testClass.getAnnotation(ServerUse.class);
		Map<String, Boolean> exclusive = new TreeMap<>();
		for (String name : (use != null) ? use.shared() : ServerUse.SHARED_SERVERS) {
			exclusive.put(name, false);
		}
		if (use != null) {
			for (String name : use.exclusive()) {
				exclusive.put(name, true);
			}
		}
		List<FileLock> locks = new ArrayList<>();
		exclusive.forEach((name, alone) -> locks.add(lock(Path.of(directory), name, alone, testClass)));
		this.held.put(identifier.getUniqueId(), locks);
	}

	@Override
	public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
		List<FileLock> locks = this.held.remove(identifier.getUniqueId());
		if (locks != null) {
			for (FileLock lock : locks) {
				try {
					lock.channel().close();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}
	}

	private static FileLock lock(Path directory, String name, boolean exclusive, Class<?> testClass) {
		try {
			Files.createDirectories(directory);
			FileChannel channel = FileChannel.open(directory.resolve(name + ".lock"), StandardOpenOption.CREATE,
					StandardOpenOption.READ, StandardOpenOption.WRITE);
			FileLock lock = channel.tryLock(0, Long.MAX_VALUE, !exclusive);
			if (lock == null) {
				System.err.printf("%s waits for %s use of the %s test server%n", testClass.getSimpleName(),
						exclusive ? "exclusive" : "shared", name);
				lock = channel.lock(0, Long.MAX_VALUE, !exclusive);
			}
			return lock;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not lock the " + name + " test server in " + directory, ex);
		}
	}

	private static Class<?> topLevelClass(TestIdentifier identifier) {
		TestSource source = identifier.getSource().orElse(null);
		if (source instanceof ClassSource classSource) {
			Class<?> testClass = classSource.getJavaClass();
			return (testClass.getEnclosingClass() == null) ? testClass : null;
		}
		return null;
	}

}
