package io.valkeyrie.boot.web;

import java.util.List;

import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.InvalidTtlException;
import io.valkeyrie.store.KeyExistsException;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.LockNotHeldException;
import io.valkeyrie.store.PreviousNotSpecifiedException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.ValueTooLargeException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a {@link StoreException} thrown by a controller with an RFC 9457 problem detail
 * ({@code application/problem+json}), in Spring MVC and WebFlux alike: 400 invalid key, TTL
 * or missing previous pair; 404 key not found; 412 compare-and-set conflict (key modified or
 * already there); 413 value too large; 409 lock not held; 503 with {@code Retry-After} when
 * the store is unavailable, closed or failed otherwise. The {@code error} property is the
 * exception's simple class name; a 503 other than an outage (which the store reports once) is
 * also logged as a warning. Lowest precedence, so an
 * application's own handlers win.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class StoreExceptionProblemHandler {

	/** First match wins, so subclasses come before their parents. */
	private static final List<Mapping> MAPPINGS = List.of(
			new Mapping(InvalidKeyException.class, HttpStatus.BAD_REQUEST, "Invalid key"),
			new Mapping(InvalidTtlException.class, HttpStatus.BAD_REQUEST, "Invalid TTL"),
			new Mapping(PreviousNotSpecifiedException.class, HttpStatus.BAD_REQUEST, "Previous not specified"),
			new Mapping(KeyNotFoundException.class, HttpStatus.NOT_FOUND, "Key not found"),
			new Mapping(KeyModifiedException.class, HttpStatus.PRECONDITION_FAILED, "Key modified"),
			new Mapping(KeyExistsException.class, HttpStatus.PRECONDITION_FAILED, "Key exists"),
			new Mapping(ValueTooLargeException.class, HttpStatus.PAYLOAD_TOO_LARGE, "Value too large"),
			new Mapping(LockNotHeldException.class, HttpStatus.CONFLICT, "Lock not held"),
			new Mapping(StoreUnavailableException.class, HttpStatus.SERVICE_UNAVAILABLE, "Store unavailable"));

	private static final Log logger = LogFactory.getLog(StoreExceptionProblemHandler.class);

	/** Closed, interrupted or misconfigured: the server cannot serve, the client did nothing wrong. */
	private static final Mapping OTHER = new Mapping(StoreException.class, HttpStatus.SERVICE_UNAVAILABLE,
			"Store unavailable");

	/** Seconds a client should wait before retrying a 503. */
	private static final String RETRY_AFTER_SECONDS = "1";

	@ExceptionHandler(StoreException.class)
	public ResponseEntity<ProblemDetail> handle(StoreException ex) {
		Mapping mapping = MAPPINGS.stream().filter((m) -> m.type().isInstance(ex)).findFirst().orElse(OTHER);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(mapping.status(), ex.getMessage());
		problem.setTitle(mapping.title());
		problem.setProperty("error", ex.getClass().getSimpleName());
		if (ex instanceof InvalidKeyException invalid && invalid.key() != null) {
			problem.setProperty("key", invalid.key());
		}
		if (ex instanceof ValueTooLargeException tooLarge) {
			problem.setProperty("size", tooLarge.size());
			problem.setProperty("maxSize", tooLarge.maxSize());
		}
		ResponseEntity.BodyBuilder response = ResponseEntity.status(mapping.status());
		if (mapping.status() == HttpStatus.SERVICE_UNAVAILABLE) {
			if (ex instanceof StoreUnavailableException) {
				// An outage: the store logs one WARN when it starts and one INFO when it ends.
				logger.debug("Store call failed: " + ex.getMessage(), ex);
			}
			else {
				// The client did nothing wrong: the operator needs to see this one.
				logger.warn("Store call failed: " + ex.getMessage(), ex);
			}
			response.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
		}
		return response.body(problem);
	}

	private record Mapping(Class<? extends StoreException> type, HttpStatus status, String title) {
	}

}
