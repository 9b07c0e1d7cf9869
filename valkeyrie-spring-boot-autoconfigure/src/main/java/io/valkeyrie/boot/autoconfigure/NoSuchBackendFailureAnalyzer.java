package io.valkeyrie.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link NoSuchBackendException}: lists the valid backends.
 */
class NoSuchBackendFailureAnalyzer extends AbstractFailureAnalyzer<NoSuchBackendException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, NoSuchBackendException cause) {
		return new FailureAnalysis(
				"valkeyrie.backend is '" + cause.getBackend() + "', which is not a valkeyrie backend.",
				"Set valkeyrie.backend to one of: " + String.join(", ", cause.getAvailable()) + ".", cause);
	}

}
