package io.valkeyrie.boot.autoconfigure;

import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains any other {@link StoreException} that stops the application from starting: a
 * store call made during startup (a watch, a leader election, the application's own
 * initialisation) after the store itself opened. Registered after the more specific
 * analyzers, which win for the failures they know.
 */
class StoreExceptionFailureAnalyzer extends AbstractFailureAnalyzer<StoreException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, StoreException cause) {
		if (cause instanceof StoreStartupException || cause instanceof MissingClientLibraryException
				|| cause instanceof NoSuchBackendException) {
			return null; // their own analyzers explain them better
		}
		String description = "A valkeyrie store call failed while the application started: " + cause.getMessage();
		if (cause instanceof StoreUnavailableException unavailable) {
			return new FailureAnalysis(description, "Make sure the " + unavailable.backend() + " servers are running "
					+ "and reachable (valkeyrie." + unavailable.backend() + ".endpoints), or raise "
					+ "valkeyrie.request-timeout if they answer slowly.", cause);
		}
		if (cause instanceof StoreConfigurationException) {
			return new FailureAnalysis(description, "Correct the setting the message names (valkeyrie.*).", cause);
		}
		return new FailureAnalysis(description, "Fix what the message describes; the exception type ("
				+ cause.getClass().getName() + ") says which kind of store failure it is.", cause);
	}

}
