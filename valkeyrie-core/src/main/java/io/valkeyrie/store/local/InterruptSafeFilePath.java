package io.valkeyrie.store.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * MVStore's file name prefix {@value #SCHEME}{@code :} for a file whose channel an
 * interrupt does not close. A {@code FileChannel} of the JDK is closed when a thread using
 * it is interrupted; MVStore shares one channel between every thread, so one interrupted
 * caller would close the database for all of them (MVStore then panics and the database
 * must be opened again). H2's full jar has a {@code retry:} file system for this; MVStore
 * alone has none, hence this one. Registered with MVStore's file systems once.
 * <p>
 * Not API: public only because MVStore creates its file paths by reflection.
 */
public final class InterruptSafeFilePath extends FilePathWrapper {

	static final String SCHEME = "valkeyrie-interrupt-safe";

	static {
		FilePath.register(new InterruptSafeFilePath());
	}

	/** For MVStore, which creates one per file name. */
	public InterruptSafeFilePath() {
	}

	/** The name MVStore opens {@code path} by, through this file system. */
	static String fileName(Path path) {
		return SCHEME + ":" + path;
	}

	@Override
	public String getScheme() {
		return SCHEME;
	}

	@Override
	public FileChannel open(String mode) throws IOException {
		return InterruptSafeFileChannel.open(Path.of(getBase().toString()), "r".equals(mode));
	}

}
