package io.valkeyrie.sample;

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

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every {@link StoreException} into an RFC 9457 problem detail with the status that
 * says what happened, never a 500: 400 invalid key or TTL, 404 not found, 412 compare-and-set
 * conflict, 413 value too large, 409 lock not held, 503 store unavailable (or closed,
 * interrupted, misconfigured). The problem's {@code error} property names the exception, so
 * a client tells the two 412s apart without parsing text. Extending
 * {@link ResponseEntityExceptionHandler} gives Spring MVC's own errors (bad TTL syntax,
 * unsupported method, ...) the same problem body.
 */
@RestControllerAdvice
class StoreProblemHandler extends ResponseEntityExceptionHandler {

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

	/** Closed, interrupted or misconfigured: the server cannot serve, the client did nothing wrong. */
	private static final Mapping OTHER = new Mapping(StoreException.class, HttpStatus.SERVICE_UNAVAILABLE,
			"Store unavailable");

	/** How long a client should wait before retrying a 503, in seconds. */
	private static final String RETRY_AFTER = "2";

	@ExceptionHandler(StoreException.class)
	ResponseEntity<ProblemDetail> storeException(StoreException ex) {
		Mapping mapping = MAPPINGS.stream().filter((candidate) -> candidate.type().isInstance(ex)).findFirst()
			.orElse(OTHER);
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
			// The client did nothing wrong: the operator needs to see this one.
			this.logger.warn("Store call failed: " + ex.getMessage(), ex);
			response.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER);
		}
		return response.body(problem);
	}

	private record Mapping(Class<? extends StoreException> type, HttpStatus status, String title) {
	}

}
