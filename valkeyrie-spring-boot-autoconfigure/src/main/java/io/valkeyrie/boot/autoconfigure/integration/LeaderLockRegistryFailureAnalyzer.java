package io.valkeyrie.boot.autoconfigure.integration;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link LeaderLockRegistryException}: which registries the election could use
 * and how to name one.
 */
class LeaderLockRegistryFailureAnalyzer extends AbstractFailureAnalyzer<LeaderLockRegistryException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, LeaderLockRegistryException cause) {
		String candidates = cause.getCandidates().isEmpty() ? "(none)" : String.join(", ", cause.getCandidates());
		return new FailureAnalysis(cause.getMessage() + ".",
				"Set valkeyrie.leader.lock-registry to the name of the LockRegistry bean leader election must use ("
						+ "lock registries in this application: " + candidates
						+ "), or remove it to elect on valkeyrie's own registry. Only a distributed registry "
						+ "elects one leader among all instances.",
				cause);
	}

}
