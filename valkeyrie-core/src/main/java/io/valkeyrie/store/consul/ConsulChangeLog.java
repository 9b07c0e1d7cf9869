package io.valkeyrie.store.consul;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * The change log that lets watchers see every change, not only the states a blocking query
 * happens to catch. Consul keeps no history of KV changes, so each write transaction of a
 * valkeyrie store also writes a log record {@code <bookkeeping>/log/<consul key>/<id>} holding
 * the operation and the value; being in the same transaction it has the same
 * {@code ModifyIndex} as the change itself. A feed that sees the namespace change reads the
 * records between its last index and the new one and publishes them in index order.
 * <p>
 * Only changes some watch feed needs are logged: a key that no registered feed watches
 * ({@link ConsulWatchRegistry}) is written with a check of the registry instead, which
 * makes the write fail, and be planned again, if a feed registered meanwhile.
 * <p>
 * Records are held by a short-lived session of the writing store (behavior {@code delete}),
 * so Consul removes them by itself about 10 seconds after they were written (twice the
 * session TTL: 7.5 to 10 s with a {@code session_ttl_min} of 5 s or less), whether or not
 * their writer is still running. A feed that falls further behind sees only the states.
 */
final class ConsulChangeLog {

	private static final Logger logger = LoggerFactory.getLogger(ConsulChangeLog.class);

	/** How long records live at most: Consul drops them at twice the session TTL after the session starts. */
	private static final Duration RETENTION = Duration.ofSeconds(10);

	private static final byte PUT = 'P';

	private static final byte DELETE = 'D';

	private final ConsulSessions sessions;

	private final ConsulWatchRegistry registry;

	private final boolean enabled;

	private final Duration sessionTtl;

	private final String root;

	private final String writer = UUID.randomUUID().toString().substring(0, 8);

	private final AtomicLong sequence = new AtomicLong();

	private @Nullable String session;

	private long sessionStarted;

	ConsulChangeLog(ConsulSessions sessions, ConsulWatchRegistry registry, String bookkeepingPrefix, boolean enabled) {
		this.sessions = sessions;
		this.registry = registry;
		this.enabled = enabled;
		this.sessionTtl = sessions.sessionTtl(RETENTION);
		this.root = bookkeepingPrefix + "/log/";
	}

	/** Whether writes are logged (the consul option {@code change-log}). */
	boolean enabled() {
		return this.enabled;
	}

	/** The prefix of the records of every Consul key starting with {@code consulPrefix}. */
	String prefix(String consulPrefix) {
		return this.root + consulPrefix;
	}

	/**
	 * Add the record of a put of {@code consulKey} to a transaction if a watch feed needs
	 * it, else the check that no feed started watching it.
	 */
	void put(ConsulJson.Txn txn, String consulKey, byte[] value) {
		if (!needed(txn, consulKey)) {
			return;
		}
		byte[] record = new byte[value.length + 1];
		record[0] = PUT;
		System.arraycopy(value, 0, record, 1, value.length);
		txn.markLog().set(recordKey(consulKey), record, 0, session());
	}

	/** Like {@link #put}, for a delete of {@code consulKey}. */
	void delete(ConsulJson.Txn txn, String consulKey) {
		if (!needed(txn, consulKey)) {
			return;
		}
		txn.markLog().set(recordKey(consulKey), new byte[] { DELETE }, 0, session());
	}

	private boolean needed(ConsulJson.Txn txn, String consulKey) {
		if (!this.enabled) {
			return false;
		}
		ConsulWatchRegistry.View view = this.registry.view();
		if (view.covers(consulKey)) {
			return true;
		}
		txn.checkRegistry(view);
		return false;
	}

	private String recordKey(String consulKey) {
		return this.root + consulKey + "/" + this.writer + "-" + this.sequence.incrementAndGet();
	}

	/** Forget the log session (Consul lost it, as a restarted dev agent does); the next record starts a new one. */
	synchronized void reset(String reason) {
		logger.info("Starting a new change-log session: {}", reason);
		this.session = null;
	}

	private synchronized String session() {
		long now = System.nanoTime();
		// A session takes new records for half its TTL: they live between 1.5 and 2 session TTLs.
		if (this.session == null || now - this.sessionStarted > this.sessionTtl.toNanos() / 2) {
			this.session = this.sessions.create("valkeyrie-change-log", this.sessionTtl, "delete", Duration.ZERO);
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
