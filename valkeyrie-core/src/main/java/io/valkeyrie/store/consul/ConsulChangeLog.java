package io.valkeyrie.store.consul;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jspecify.annotations.Nullable;

/**
 * The change log that lets watchers see every change, not only the states a blocking query
 * happens to catch. Consul keeps no history of KV changes, so each write transaction of a
 * valkeyrie store also writes a log record {@code <bookkeeping>/log/<slot>/<consul key>/<id>}
 * holding the operation and the value; being in the same transaction it has the same
 * {@code ModifyIndex} as the change itself. A feed that sees the namespace change reads the
 * records between its last index and the new one and publishes them in index order.
 * <p>
 * <b>Slots</b> keep that read small: the writer files each record under the
 * {@value #SLOT_MILLIS} ms slot of its clock, and the same transaction sets the slot's marker
 * {@code <bookkeeping>/log-slots/<slot>/<writer>-<session>} to a new value, so the marker's
 * {@code ModifyIndex} is that of the writer's last record in the slot. A feed reads the markers
 * (a few per writer, however fast it writes) and then only the slots some marker says were
 * written after its last index: the current one or two, instead of every record kept. Clocks
 * only decide where a record goes, not whether it is found: a writer with a slow clock, or one
 * stalled between choosing the slot and committing, moves an old slot's marker, and that slot
 * is read.
 * <p>
 * Only changes some watch feed needs are logged: a key that no registered feed watches
 * ({@link ConsulWatchRegistry}) is written with a check of the registry instead, which
 * makes the write fail, and be planned again, if a feed registered meanwhile.
 * <p>
 * Records and markers are held by a short-lived session of the writing store (behavior
 * {@code delete}), so Consul removes them by itself about 10 seconds after they were written
 * (twice the session TTL: 7.5 to 10 s with a {@code session_ttl_min} of 5 s or less), whether
 * or not their writer is still running. A feed that falls further behind sees only the states.
 */
final class ConsulChangeLog {

	private static final Logger logger = LoggerFactory.getLogger(ConsulChangeLog.class);

	/** How long records live at most: Consul drops them at twice the session TTL after the session starts. */
	private static final Duration RETENTION = Duration.ofSeconds(10);

	/** The width of a slot: records of about this long are read again by each wake-up of a feed. */
	static final long SLOT_MILLIS = 500;

	private static final byte PUT = 'P';

	private static final byte DELETE = 'D';

	private final ConsulSessions sessions;

	private final ConsulWatchRegistry registry;

	private final boolean enabled;

	private final Duration sessionTtl;

	private final String root;

	private final String slots;

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
		this.slots = bookkeepingPrefix + "/log-slots/";
	}

	/** Whether writes are logged (the consul option {@code change-log}). */
	boolean enabled() {
		return this.enabled;
	}

	/** The slot of a record written at {@code millis} (this host's clock): fixed width, so slots sort by time. */
	static String slot(long millis) {
		return String.format(Locale.ROOT, "%013d", millis / SLOT_MILLIS);
	}

	/** The prefix of the slot markers. */
	String slotsPrefix() {
		return this.slots;
	}

	/** The prefix of the records in {@code slot} of every Consul key starting with {@code consulPrefix}. */
	String prefix(String slot, String consulPrefix) {
		return this.root + slot + "/" + consulPrefix;
	}

	/**
	 * The slots that hold records written after {@code after}, from the markers: those whose
	 * marker moved since.
	 */
	SortedSet<String> slotsWrittenAfter(List<ConsulEntry> markers, long after) {
		SortedSet<String> written = new TreeSet<>();
		for (ConsulEntry marker : markers) {
			int slash = marker.key().indexOf('/', this.slots.length());
			if (marker.modifyIndex() > after && marker.key().startsWith(this.slots) && slash > this.slots.length()) {
				written.add(marker.key().substring(this.slots.length(), slash));
			}
		}
		return written;
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
		record(txn, consulKey, record);
	}

	/** Like {@link #put}, for a delete of {@code consulKey}. */
	void delete(ConsulJson.Txn txn, String consulKey) {
		if (!needed(txn, consulKey)) {
			return;
		}
		record(txn, consulKey, new byte[] { DELETE });
	}

	/** The record, and with a transaction's first record the marker of its slot. */
	private void record(ConsulJson.Txn txn, String consulKey, byte[] record) {
		String session = session();
		long sequence = this.sequence.incrementAndGet();
		String slot = txn.logSlot();
		boolean first = slot == null;
		if (slot == null) {
			slot = slot(System.currentTimeMillis());
			txn.logSlot(slot);
		}
		txn.markLog().set(this.root + slot + "/" + consulKey + "/" + this.writer + "-" + sequence, record, 0, session);
		if (first) {
			// A new value every time, so the marker's ModifyIndex moves (Consul leaves it on an unchanged write).
			txn.set(this.slots + slot + "/" + this.writer + "-" + session, Long.toString(sequence).getBytes(StandardCharsets.UTF_8), 0,
					session);
		}
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
			int slotEnd = record.key().indexOf('/', this.root.length());
			if (index <= after || index > upTo || value.length == 0 || slotEnd < 0 || slash <= slotEnd + 1
					|| !record.key().startsWith(this.root)) {
				continue;
			}
			String consulKey = record.key().substring(slotEnd + 1, slash);
			changes.add(new Change(consulKey, (value[0] == PUT) ? Arrays.copyOfRange(value, 1, value.length) : null, index));
		}
		changes.sort(Comparator.comparingLong(Change::index).thenComparing(Change::consulKey));
		return changes;
	}

}
