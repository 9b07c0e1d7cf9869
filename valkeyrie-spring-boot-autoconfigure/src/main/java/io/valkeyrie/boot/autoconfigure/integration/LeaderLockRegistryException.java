package io.valkeyrie.boot.autoconfigure.integration;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Leader election cannot tell which lock registry to run on: {@code valkeyrie.leader.lock-registry}
 * names no {@code LockRegistry} bean, or it is unset and the application has several
 * valkeyrie registries.
 */
public final class LeaderLockRegistryException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final @Nullable String configured;

	private final List<String> candidates;

	LeaderLockRegistryException(@Nullable String configured, List<String> candidates) {
		super((configured != null)
				? "valkeyrie.leader.lock-registry names '" + configured + "', which is not a LockRegistry bean"
				: "Leader election found several valkeyrie lock registries " + candidates
						+ " and valkeyrie.leader.lock-registry does not say which to use");
		this.configured = configured;
		this.candidates = List.copyOf(candidates);
	}

	/** The configured bean name, or {@code null} when none was set. */
	public @Nullable String getConfigured() {
		return this.configured;
	}

	/** The names of the lock registry beans the election could run on. */
	public List<String> getCandidates() {
		return this.candidates;
	}

}
