package io.valkeyrie.store.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileLock;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.h2.store.fs.FileBaseDefault;

/**
 * A file channel that an interrupt of a thread using it does not close. It reads and writes
 * through an {@link AsynchronousFileChannel} (which is not an interruptible channel) whose
 * tasks run at once on the calling thread, so a read or write costs what a plain
 * {@code FileChannel}'s does, and a thread interrupted meanwhile keeps its interrupt flag
 * without disturbing anyone else.
 */
final class InterruptSafeFileChannel extends FileBaseDefault {

	private final AsynchronousFileChannel file;

	private InterruptSafeFileChannel(AsynchronousFileChannel file) {
		this.file = file;
	}

	static InterruptSafeFileChannel open(Path path, boolean readOnly) throws IOException {
		Set<OpenOption> options = readOnly ? Set.of(StandardOpenOption.READ)
				: Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
		return new InterruptSafeFileChannel(AsynchronousFileChannel.open(path, options, CallerRuns.INSTANCE));
	}

	@Override
	public int read(ByteBuffer destination, long position) throws IOException {
		return uninterruptibly(this.file.read(destination, position));
	}

	@Override
	public int write(ByteBuffer source, long position) throws IOException {
		return uninterruptibly(this.file.write(source, position));
	}

	@Override
	public long size() throws IOException {
		return this.file.size();
	}

	@Override
	protected void implTruncate(long size) throws IOException {
		this.file.truncate(size);
	}

	@Override
	public void force(boolean metaData) throws IOException {
		this.file.force(metaData);
	}

	@Override
	public FileLock tryLock(long position, long size, boolean shared) throws IOException {
		return this.file.tryLock(position, size, shared);
	}

	@Override
	protected void implCloseChannel() throws IOException {
		this.file.close();
	}

	@Override
	public String toString() {
		return "InterruptSafeFileChannel[" + this.file + "]";
	}

	/** The result of an operation that ran on this thread already; an interrupt flag is kept, not acted on. */
	private static int uninterruptibly(Future<Integer> result) throws IOException {
		boolean interrupted = false;
		try {
			while (true) {
				try {
					return result.get();
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
				catch (ExecutionException ex) {
					if (ex.getCause() instanceof IOException io) {
						throw io;
					}
					throw new IOException(ex.getCause());
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** Runs every task at once on the thread that submits it. */
	private static final class CallerRuns extends AbstractExecutorService {

		static final CallerRuns INSTANCE = new CallerRuns();

		@Override
		public void execute(Runnable task) {
			task.run();
		}

		@Override
		public void shutdown() {
			// Shared by every channel and holding no threads: nothing to stop.
		}

		@Override
		public List<Runnable> shutdownNow() {
			return List.of();
		}

		@Override
		public boolean isShutdown() {
			return false;
		}

		@Override
		public boolean isTerminated() {
			return false;
		}

		@Override
		public boolean awaitTermination(long timeout, TimeUnit unit) {
			return false;
		}

	}

}
