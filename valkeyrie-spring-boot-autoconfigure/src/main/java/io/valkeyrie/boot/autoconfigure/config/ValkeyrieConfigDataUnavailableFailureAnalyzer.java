package io.valkeyrie.boot.autoconfigure.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a failed {@code spring.config.import=valkeyrie:}: which backend, where, and
 * which key prefixes, with the ways out.
 */
class ValkeyrieConfigDataUnavailableFailureAnalyzer
		extends AbstractFailureAnalyzer<ValkeyrieConfigDataUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ValkeyrieConfigDataUnavailableException cause) {
		String description = "spring.config.import=valkeyrie: could not read the configuration below "
				+ cause.getFolders() + " from the " + cause.getBackend() + " store at " + cause.getEndpoints() + ":\n"
				+ ((cause.getCause() != null) ? cause.getCause().getMessage() : cause.getMessage());
		String action = "Start the " + cause.getBackend() + " server or correct valkeyrie." + cause.getBackend()
				+ ".endpoints (and valkeyrie.namespace / valkeyrie.config.root), or import it as "
				+ "'optional:valkeyrie:' to start without it.";
		return new FailureAnalysis(description, action, cause);
	}

}
