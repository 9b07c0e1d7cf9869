package io.valkeyrie.store.local;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

import org.jspecify.annotations.Nullable;

/**
 * The lock records of a database, in their own map so they never show among the keys:
 * per locked key the fencing token of the holding acquisition (also its owner id) and when
 * the record expires unless renewed. Fencing tokens come from one persistent counter, so
 * they grow with every acquisition, also across restarts. Waiters sleep on the database's
 * condition and are woken by every release and expiry (and at the holder's expiry time).
 */
final class LockTable {

	private static final String FENCING = "fencing";

	private final LocalDatabase database;

	private volatile MVMap<String, byte[]> records;

	/** The holders in this JVM by fencing token: told when their record expires. */
	private final Map<Long, Runnable> holders = new ConcurrentHashMap<>();

	LockTable(LocalDatabase database, MVStore store) {
		this.database = database;
		bind(store);
	}

	/** Use the lock map of {@code store} (the database's file was opened again). */
	void bind(MVStore store) {
		this.records = store.openMap("locks",
				new MVMap.Builder<String, byte[]>().keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
	}

	/**
	 * Take the record of {@code key}, waiting for it until {@code deadlineNanos}.
	 * @param holder makes the holder from the fencing token, under the lock; it runs
	 * (on the sweeper thread) if the record expires while held
	 * @return the holder, or {@code null} when the deadline passed
	 */
	<H extends Runnable> @Nullable H acquire(Duration timeout, String key, long ttlMillis, long deadlineNanos,
			BooleanSupplier closed, LongFunction<H> holder) throws InterruptedException {
		// A try with a past deadline still gets the request timeout to reach the database: a busy write lock is not a held lock.
		if (!this.database.tryLock(Math.max(deadlineNanos - System.nanoTime(), timeout.toNanos()))) {
			return null;
		}
		try {
			while (true) {
				if (closed.getAsBoolean()) {
					return null;
				}
				long now = this.database.now();
				Record record = record(key);
				if (record == null || record.expiresAt() <= now) {
					if (record != null) {
						expired(record.token());
					}
					long token = this.database.next(FENCING);
					H created = holder.apply(token);
					this.records.put(key, new Record(token, LocalDatabase.saturatedAdd(now, ttlMillis)).encode());
					try {
						this.database.commit();
					}
					catch (RuntimeException ex) {
						// Not ours after all (an interrupted or failed commit): leave no record behind.
						removeIfOwned(key, token);
						throw ex;
					}
					this.holders.put(token, created);
					return created;
				}
				long remaining = deadlineNanos - System.nanoTime();
				if (remaining <= 0) {
					return null;
				}
				long untilExpiry = TimeUnit.MILLISECONDS.toNanos(record.expiresAt() - now);
				this.database.lockReleased().awaitNanos(Math.min(remaining, untilExpiry));
			}
		}
		catch (MVStoreException ex) {
			throw this.database.unavailable(ex);
		}
		finally {
			this.database.unlock();
		}
	}

	/**
	 * Push the expiry of a held record forward.
	 * @return {@code false} if the record is no longer this acquisition's
	 */
	boolean renew(Duration timeout, String key, long token, long ttlMillis) {
		this.database.lock(timeout);
		try {
			Record record = record(key);
			if (record == null || record.token() != token) {
				return false;
			}
			this.records.put(key, new Record(token, LocalDatabase.saturatedAdd(this.database.now(), ttlMillis)).encode());
			this.database.commit();
			return true;
		}
		catch (MVStoreException ex) {
			throw this.database.unavailable(ex);
		}
		finally {
			this.database.unlock();
		}
	}

	/**
	 * Remove the record if it is still this acquisition's, and wake the waiters.
	 * @return whether the record was this acquisition's
	 */
	boolean release(Duration timeout, String key, long token) {
		this.holders.remove(token);
		this.database.lock(timeout);
		try {
			Record record = record(key);
			if (record == null || record.token() != token) {
				return false;
			}
			this.records.remove(key);
			this.database.commit();
			this.database.lockReleased().signalAll();
			return true;
		}
		catch (MVStoreException ex) {
			throw this.database.unavailable(ex);
		}
		finally {
			this.database.unlock();
		}
	}

	/** Wake every waiter, to look again (at a closed store). */
	void wakeWaiters(Duration timeout) {
		this.database.lock(timeout);
		try {
			this.database.lockReleased().signalAll();
		}
		finally {
			this.database.unlock();
		}
	}

	private void removeIfOwned(String key, long token) {
		try {
			Record record = record(key);
			if (record != null && record.token() == token) {
				this.records.remove(key);
			}
		}
		catch (RuntimeException ex) {
			// The map went with a failed file: the record went with it.
		}
	}

	/** Whether a record has expired at {@code now} (a lock-free look). */
	boolean hasExpired(long now) {
		Cursor<String, byte[]> cursor = this.records.cursor(null);
		while (cursor.hasNext()) {
			cursor.next();
			if (Record.decode(cursor.getValue()).expiresAt() <= now) {
				return true;
			}
		}
		return false;
	}

	/** Remove the records expired at {@code now}; under the database's write lock. */
	void expire(long now) {
		List<String> expired = new ArrayList<>();
		Cursor<String, byte[]> cursor = this.records.cursor(null);
		while (cursor.hasNext()) {
			String key = cursor.next();
			Record record = Record.decode(cursor.getValue());
			if (record.expiresAt() <= now) {
				expired.add(key);
				expired(record.token());
			}
		}
		if (!expired.isEmpty()) {
			expired.forEach(this.records::remove);
			this.database.lockReleased().signalAll();
		}
	}

	private void expired(long token) {
		Runnable holder = this.holders.remove(token);
		if (holder != null) {
			try {
				// Off the write lock: the holder's loss handling takes it again and runs user callbacks.
				this.database.scheduler().execute(holder);
			}
			catch (RejectedExecutionException ex) {
				// The database is closing; its stores have released or lost their locks already.
			}
		}
	}

	private @Nullable Record record(String key) {
		byte[] bytes = this.records.get(key);
		return (bytes != null) ? Record.decode(bytes) : null;
	}

	private record Record(long token, long expiresAt) {

		byte[] encode() {
			return ByteBuffer.allocate(2 * Long.BYTES).putLong(this.token).putLong(this.expiresAt).array();
		}

		static Record decode(byte[] bytes) {
			ByteBuffer buffer = ByteBuffer.wrap(bytes);
			return new Record(buffer.getLong(), buffer.getLong());
		}

	}

}
