package io.valkeyrie.sample;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The problem details (RFC 9457) the API answers for requests it refuses itself, before or
 * instead of a store call. Store failures are valkeyrie's
 * {@link io.valkeyrie.boot.web.StoreExceptionProblemHandler}'s.
 */
final class Problems {

	private Problems() {
	}

	/** 400: the request is malformed (a header, a parameter). */
	static ErrorResponseException badRequest(String detail) {
		return problem(HttpStatus.BAD_REQUEST, "Bad request", detail, null);
	}

	/**
	 * 412: an {@code If-Match} condition is false (RFC 9110, section 13.1.1).
	 * @param title what made it false
	 * @param detail the explanation
	 * @param error the store exception that said so, or {@code null} if none did
	 */
	static ErrorResponseException preconditionFailed(String title, String detail, @Nullable String error) {
		return problem(HttpStatus.PRECONDITION_FAILED, title, detail, error);
	}

	static ErrorResponseException problem(HttpStatus status, String title, String detail, @Nullable String error) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		if (error != null) {
			problem.setProperty("error", error);
		}
		return new ErrorResponseException(status, problem, null);
	}

}
