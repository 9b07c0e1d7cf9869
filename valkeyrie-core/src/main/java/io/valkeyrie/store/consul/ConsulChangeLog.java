package io.valkeyrie.store.consul;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The change log that lets watchers see every change, not only the states a blocking query
 * happens to catch. Consul keeps no history of KV changes, so each write transaction of a
 * valkeyrie store also writes a log record {@code <bookkeeping>/log/<consul key>/<id>} holding
 * the operation and the value; being in the same transaction it has the same
 * {@code ModifyIndex} as the change itself. A feed that sees the namespace change reads the
 * records between its last index and the new one and publishes them in index order.
 * <p>
 * Records are held by a short-lived session of the writing store (behavior {@code delete}),
 * so Consul removes them by itself 20 to 30 seconds after they were written, whether or not
 * their writer is still running.
 */
final class ConsulChangeLog {

	/** How long a log session takes new records before a fresh one is started. */
	private static final Duration ROTATION = Duration.ofSeconds(10);

	/** How long records live at least: Consul drops them at twice the session TTL after the session starts. */
	private static final Duration RETENTION = Duration.ofSeconds(30);

	private static final byte PUT = 'P';

	private static final byte DELETE = 'D';

	private final ConsulSessions sessions;

	private final String root;

	private final String writer = UUID.randomUUID().toString().substring(0, 8);

	private final AtomicLong sequence = new AtomicLong();

	private @Nullable String session;

	private long sessionStarted;

	ConsulChangeLog(ConsulSessions sessions, String bookkeepingPrefix) {
		this.sessions = sessions;
		this.root = bookkeepingPrefix + "/log/";
	}

	/** The prefix of the records of every Consul key starting with {@code consulPrefix}. */
	String prefix(String consulPrefix) {
		return this.root + consulPrefix;
	}

	/** Add the record of a put of {@code consulKey} to a transaction. */
	void put(ConsulJson.Txn txn, String consulKey, byte[] value) {
		byte[] record = new byte[value.length + 1];
		record[0] = PUT;
		System.arraycopy(value, 0, record, 1, value.length);
		txn.markLog().set(recordKey(consulKey), record, 0, session());
	}

	/** Add the record of a delete of {@code consulKey} to a transaction. */
	void delete(ConsulJson.Txn txn, String consulKey) {
		txn.markLog().set(recordKey(consulKey), new byte[] { DELETE }, 0, session());
	}

	private String recordKey(String consulKey) {
		return this.root + consulKey + "/" + this.writer + "-" + this.sequence.incrementAndGet();
	}

	/** Forget the log session (Consul lost it, as a restarted dev agent does); the next record starts a new one. */
	synchronized void reset(String reason) {
		this.session = null;
	}

	private synchronized String session() {
		long now = System.nanoTime();
		if (this.session == null || now - this.sessionStarted > ROTATION.toNanos()) {
			this.session = this.sessions.create("valkeyrie-change-log", this.sessions.sessionTtl(RETENTION), "delete", Duration.ZERO);
			this.sessionStarted = now;
		}
		return this.session;
	}

	/** One logged change. */
	record Change(String consulKey, @Nullable byte[] value, long index) {

		boolean isPut() {
			return this.value != null;
		}

	}

	/**
	 * The changes among {@code records} with an index in {@code (after, upTo]}, in the order
	 * they happened.
	 */
	List<Change> changes(List<ConsulEntry> records, long after, long upTo) {
		List<Change> changes = new ArrayList<>();
		for (ConsulEntry record : records) {
			long index = record.modifyIndex();
			byte[] value = record.value();
			int slash = record.key().lastIndexOf('/');
			if (index <= after || index > upTo || value.length == 0 || slash <= this.root.length()
					|| !record.key().startsWith(this.root)) {
				continue;
			}
			String consulKey = record.key().substring(this.root.length(), slash);
			changes.add(new Change(consulKey, (value[0] == PUT) ? Arrays.copyOfRange(value, 1, value.length) : null, index));
		}
		changes.sort(Comparator.comparingLong(Change::index).thenComparing(Change::consulKey));
		return changes;
	}

}
