package io.valkeyrie.store.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.internal.BackendOptions;

import org.jspecify.annotations.Nullable;

/**
 * The {@code local} backend's settings, read from {@link StoreConfig#options()}.
 *
 * @param path the database file, or {@code null} for an in-memory database
 * @param name the name of a shared in-memory database, or {@code null}
 * @param fsync whether every write is also forced to disk (survives power loss)
 * @param historySize how many changes are kept in memory for resuming watches
 */
record LocalOptions(@Nullable Path path, @Nullable String name, boolean fsync, int historySize) {

	static final String PATH = "path";

	static final String NAME = "name";

	static final String FSYNC = "fsync";

	static final String HISTORY_SIZE = "history-size";

	static final List<String> KNOWN = List.of(PATH, NAME, FSYNC, HISTORY_SIZE);

	static final int DEFAULT_HISTORY_SIZE = 10_000;

	static LocalOptions of(StoreConfig config) {
		if (!config.endpoints().isEmpty()) {
			throw new StoreConfigurationException("The local backend takes no endpoints (got " + config.endpoints()
					+ "); give the database file with the option '" + PATH + "'");
		}
		BackendOptions options = new BackendOptions(config, "local", KNOWN);
		String path = options.string(PATH);
		String name = options.string(NAME);
		if (path != null && name != null) {
			throw new StoreConfigurationException("The local backend takes either '" + PATH + "' (a file) or '" + NAME
					+ "' (a shared in-memory database), not both");
		}
		return new LocalOptions((path != null) ? file(path) : null, name, options.bool(FSYNC, false),
				options.positiveInt(HISTORY_SIZE, DEFAULT_HISTORY_SIZE));
	}

	/**
	 * What identifies the database within this JVM, so stores on the same data share it;
	 * {@code null} for a private in-memory database.
	 */
	@Nullable String databaseId() {
		if (this.path != null) {
			return "file:" + this.path;
		}
		return (this.name != null) ? "memory:" + this.name : null;
	}

	private static Path file(String value) {
		try {
			Path path = Path.of(value).toAbsolutePath().normalize();
			Path parent = path.getParent();
			if (parent != null) {
				Files.createDirectories(parent);
				// The canonical form makes two spellings of one file (symlinks, "..") share one database.
				path = parent.toRealPath().resolve(path.getFileName());
			}
			if (Files.exists(path)) {
				path = path.toRealPath();
			}
			if (Files.isDirectory(path)) {
				throw new StoreConfigurationException("The local store's '" + PATH + "' " + path + " is a directory; give a file");
			}
			return path;
		}
		catch (InvalidPathException | IOException ex) {
			throw new StoreConfigurationException("The local store's '" + PATH + "' " + value + " cannot be used: " + ex.getMessage(), ex);
		}
	}

}
