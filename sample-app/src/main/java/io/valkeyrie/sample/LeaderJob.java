package io.valkeyrie.sample;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.WriteOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.integration.leader.event.AbstractLeaderEvent;
import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.leader.event.OnRevokedEvent;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A scheduled job that runs on one instance only: the leader the starter elects on the
 * store's locks ({@code valkeyrie.leader.enabled}). Every instance schedules it; only the
 * one that holds leadership does the work, which here is announcing itself in the key
 * {@value #LEADER_KEY} (with a TTL, so a crashed leader's claim disappears). The page and
 * {@code GET /api/leader} show it.
 */
@Component
class LeaderJob {

	/** The key the leader writes its instance id to. */
	static final String LEADER_KEY = "sample/leader";

	private static final Logger logger = LoggerFactory.getLogger(LeaderJob.class);

	private final Store store;

	private final Instance instance;

	private final String role;

	private final Duration claimTtl;

	private volatile boolean leading;

	private final AtomicLong runs = new AtomicLong();

	private final AtomicReference<@Nullable Instant> lastRun = new AtomicReference<>();

	LeaderJob(Store store, Instance instance, @Value("${valkeyrie.leader.role}") String role,
			@Value("${sample.leader.claim-ttl:15s}") Duration claimTtl) {
		this.store = store;
		this.instance = instance;
		this.role = role;
		this.claimTtl = claimTtl;
	}

	/** Granted or revoked, for this job's role (other roles may be elected in the same application). */
	@EventListener({ OnGrantedEvent.class, OnRevokedEvent.class })
	void onLeadership(AbstractLeaderEvent event) {
		if (!event.getRole().equals(this.role)) {
			return;
		}
		this.leading = event instanceof OnGrantedEvent;
		logger.info("{} {} '{}'", this.instance.id(), this.leading ? "leads" : "no longer leads", this.role);
		run();
	}

	/** Runs on every instance; does the work only on the leader. */
	@Scheduled(fixedDelayString = "${sample.leader.interval:5s}")
	void run() {
		if (!this.leading) {
			return;
		}
		try {
			byte[] claim = this.instance.id().getBytes(StandardCharsets.UTF_8);
			this.store.put(LEADER_KEY, claim, WriteOptions.ttl(this.claimTtl));
			this.runs.incrementAndGet();
			this.lastRun.set(Instant.now());
		}
		catch (StoreException ex) {
			// The store is down: the next run tries again; leadership itself is the lock's business.
			logger.warn("Leader job could not write {}: {}", LEADER_KEY, ex.getMessage());
		}
	}

	/** What {@code GET /api/leader} shows. */
	LeaderStatus status() {
		String leader = this.store.find(LEADER_KEY).map(KVPair::valueAsString).orElse(null);
		return new LeaderStatus(this.instance.id(), this.role, this.leading, leader, this.runs.get(),
				this.lastRun.get());
	}

	/**
	 * Who leads, seen from this instance.
	 *
	 * @param instance this instance's id
	 * @param role the elected role
	 * @param leading whether this instance leads
	 * @param leader the instance that last announced itself as leader, or {@code null}
	 * @param runs how many times the job ran here
	 * @param lastRun when it last ran here, or {@code null}
	 */
	record LeaderStatus(String instance, String role, boolean leading, @Nullable String leader, long runs,
			@Nullable Instant lastRun) {
	}

}
