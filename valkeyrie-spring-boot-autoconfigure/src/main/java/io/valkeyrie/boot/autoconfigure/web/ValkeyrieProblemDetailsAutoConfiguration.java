package io.valkeyrie.boot.autoconfigure.web;

import io.valkeyrie.boot.web.StoreExceptionProblemHandler;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of {@link StoreExceptionProblemHandler}
 * in a Spring MVC or WebFlux application, when {@code valkeyrie.web.problem-details.enabled}
 * is true (it is off by default: an application may map store exceptions its own way).
 */
@AutoConfiguration
@ConditionalOnWebApplication
@ConditionalOnClass(name = { "org.springframework.http.ProblemDetail", "io.valkeyrie.store.Store" })
@ConditionalOnBooleanProperty(name = "valkeyrie.web.problem-details.enabled")
public final class ValkeyrieProblemDetailsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	StoreExceptionProblemHandler valkeyrieStoreExceptionProblemHandler() {
		return new StoreExceptionProblemHandler();
	}

}
