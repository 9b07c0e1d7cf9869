package io.valkeyrie.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link MissingClientLibraryException}: names the dependency to add.
 */
class MissingClientLibraryFailureAnalyzer extends AbstractFailureAnalyzer<MissingClientLibraryException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingClientLibraryException cause) {
		return new FailureAnalysis(
				"valkeyrie.backend is '" + cause.getBackend() + "', but the " + cause.getBackend()
						+ " client library is not on the classpath.",
				"Add the Maven dependency " + cause.getDependency() + " to your application, or choose another "
						+ "backend with valkeyrie.backend.",
				cause);
	}

}
