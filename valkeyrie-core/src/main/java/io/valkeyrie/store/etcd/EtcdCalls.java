package io.valkeyrie.store.etcd;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.valkeyrie.store.StoreClosedException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.Reachability;
import org.jspecify.annotations.Nullable;

/**
 * Waits for jetcd's futures, at most the request timeout each, and turns their failures into
 * the store's exceptions: anything the server or the connection did becomes a
 * {@link StoreUnavailableException} naming etcd and the cause.
 */
final class EtcdCalls {

	static final String BACKEND = "etcd";

	private final Duration timeout;

	/** The futures callers wait for now: a closing store ends them at once. */
	private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

	private volatile boolean closed;

	private volatile @Nullable Reachability reachability;

	EtcdCalls(Duration timeout) {
		this.timeout = timeout;
	}

	Duration timeout() {
		return this.timeout;
	}

	/** Report whether etcd answers each call to {@code reachability} from now on. */
	void reportTo(Reachability reachability) {
		this.reachability = reachability;
	}

	/**
	 * Wait for {@code future}; on timeout it is cancelled (jetcd then stops retrying it).
	 * @param what the call, for the message
	 */
	<T> T await(String what, CompletableFuture<T> future) {
		Reachability reporting = this.reachability;
		if (reporting == null) {
			return awaitAnswer(what, future);
		}
		T answer;
		long started = reporting.now();
		try {
			answer = awaitAnswer(what, future);
		}
		catch (StoreUnavailableException ex) {
			if (!this.closed) {
				reporting.callFailed(ex, started);
			}
			throw ex;
		}
		reporting.reachable();
		return answer;
	}

	private <T> T awaitAnswer(String what, CompletableFuture<T> future) {
		this.inFlight.add(future);
		try {
			if (this.closed) {
				future.completeExceptionally(new StoreClosedException("The etcd store was closed during " + what));
			}
			return future.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			future.cancel(true);
			Thread.currentThread().interrupt();
			throw new StoreInterruptedException("Interrupted during etcd " + what, ex);
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			throw new StoreUnavailableException(BACKEND, what + " got no answer within " + BackendOptions.format(this.timeout), ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof StoreClosedException closing) {
				throw new StoreClosedException(closing.getMessage(), ex.getCause());
			}
			throw translate(what, ex.getCause());
		}
		finally {
			this.inFlight.remove(future);
		}
	}

	/**
	 * End every call in flight with a {@link StoreClosedException} (the store is closing;
	 * its own last calls, such as revoking leases, may still follow).
	 */
	void endInFlight() {
		for (CompletableFuture<?> future : this.inFlight) {
			future.completeExceptionally(new StoreClosedException("The etcd store was closed"));
		}
	}

	/** End every call in flight, and every later one, with a {@link StoreClosedException}. */
	void close() {
		this.closed = true;
		endInFlight();
	}

	static StoreException translate(String what, Throwable failure) {
		Throwable cause = unwrap(failure);
		return new StoreUnavailableException(BACKEND, what + " failed: " + cause.getMessage(), cause);
	}

	static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof ExecutionException || cause instanceof java.util.concurrent.CompletionException
				|| cause instanceof StoreUnavailableException) && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	/** Whether {@code failure} says the server could not be reached (gRPC's UNAVAILABLE). */
	static boolean isUnavailable(Throwable failure) {
		Throwable cause = unwrap(failure);
		return (cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.UNAVAILABLE)
				|| io.grpc.Status.fromThrowable(cause).getCode() == io.grpc.Status.Code.UNAVAILABLE;
	}

	/** Whether {@code failure} is etcd's "not found" (a lease that no longer exists). */
	static boolean isNotFound(Throwable failure) {
		return unwrap(failure) instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND;
	}

	/** Whether {@code failure} says the revision asked for was compacted away. */
	static boolean isCompacted(Throwable failure) {
		Throwable cause = unwrap(failure);
		if (cause instanceof CompactedException) {
			return true;
		}
		return cause instanceof EtcdException && cause.getMessage() != null
				&& cause.getMessage().contains("required revision has been compacted");
	}

	/** Whether {@code failure} says the revision asked for is not written yet. */
	static boolean isFutureRevision(Throwable failure) {
		Throwable cause = unwrap(failure);
		return cause instanceof EtcdException && cause.getMessage() != null
				&& cause.getMessage().contains("required revision is a future revision");
	}

}
