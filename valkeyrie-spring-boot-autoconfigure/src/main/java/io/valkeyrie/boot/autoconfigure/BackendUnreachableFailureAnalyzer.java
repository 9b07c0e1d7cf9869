package io.valkeyrie.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link BackendUnreachableException}: which backend, at which endpoints, and
 * why.
 */
class BackendUnreachableFailureAnalyzer extends AbstractFailureAnalyzer<BackendUnreachableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, BackendUnreachableException cause) {
		Throwable reason = (cause.getCause() != null) ? cause.getCause() : cause;
		return new FailureAnalysis(
				"The valkeyrie " + cause.backend() + " store could not reach its servers at "
						+ BackendUnreachableException.describe(cause.getEndpoints()) + " while the application started: "
						+ reason.getMessage(),
				"Make sure the " + cause.backend() + " servers are running and reachable, or point "
						+ "valkeyrie." + cause.backend() + ".endpoints at them.",
				cause);
	}

}
