package io.valkeyrie.sample;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.WriteOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API over the {@link Store}: {@code /api/kv/{key}} reads, writes and deletes one
 * key, {@code /api/list/{dir}} lists a directory. The ETag of a key is its index; a write or
 * delete with {@code If-Match: <index>} is a compare-and-set (412 when the key changed in
 * between), a write with {@code If-None-Match: *} creates the key only if it is absent (412
 * when it exists). Store failures become problem details in {@link StoreProblemHandler}.
 */
@RestController
@RequestMapping("/api")
class KeyValueController {

	private final Store store;

	KeyValueController(Store store) {
		this.store = store;
	}

	@GetMapping("/kv/{*key}")
	ResponseEntity<KeyValue> get(@PathVariable String key) {
		KVPair pair = this.store.get(key);
		return ResponseEntity.ok().eTag(etag(pair)).body(KeyValue.of(pair));
	}

	/**
	 * Write a key. The body is the value (any content type, stored as bytes).
	 * @param key the key
	 * @param value the value; an empty body stores an empty value
	 * @param ttl how long the key lives, e.g. {@code 10s}; permanent without
	 * @param ifMatch the index the key must still have (compare-and-set)
	 * @param ifNoneMatch {@code *} to create the key only if it is absent
	 * @return 204 for a plain write; the new key and its ETag for a conditional one
	 */
	@PutMapping("/kv/{*key}")
	ResponseEntity<KeyValue> put(@PathVariable String key, @RequestBody(required = false) byte @Nullable [] value,
			@RequestParam(required = false) @Nullable String ttl,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch,
			@RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) @Nullable String ifNoneMatch) {
		WriteOptions options = writeOptions(ttl);
		if (ifMatch != null && ifNoneMatch != null) {
			throw badRequest("Send either If-Match (update) or If-None-Match: * (create), not both");
		}
		if (ifNoneMatch != null) {
			if (!ifNoneMatch.trim().equals("*")) {
				throw badRequest("If-None-Match must be '*' (create only if absent), was '" + ifNoneMatch + "'");
			}
			KVPair created = this.store.atomicPut(key, value, null, options);
			return ResponseEntity.created(URI.create("/api/kv/" + created.key())).eTag(etag(created))
				.body(KeyValue.of(created));
		}
		if (ifMatch != null) {
			KVPair updated = this.store.atomicPut(key, value, previous(key, ifMatch), options);
			return ResponseEntity.ok().eTag(etag(updated)).body(KeyValue.of(updated));
		}
		this.store.put(key, value, options);
		return ResponseEntity.noContent().build();
	}

	/**
	 * Delete a key; keys below it stay.
	 * @param key the key
	 * @param ifMatch the index the key must still have (compare-and-delete)
	 * @return 204
	 */
	@DeleteMapping("/kv/{*key}")
	ResponseEntity<Void> delete(@PathVariable String key,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch) {
		if (ifMatch != null) {
			this.store.atomicDelete(key, previous(key, ifMatch));
		}
		else {
			this.store.delete(key);
		}
		return ResponseEntity.noContent().build();
	}

	/**
	 * Every key below a directory, at any depth, sorted by key. The root always exists (an
	 * empty store lists nothing); any other directory with nothing at or below it is 404.
	 * @param dir the directory
	 * @return the keys
	 */
	@GetMapping("/list/{*dir}")
	List<KeyValue> list(@PathVariable String dir) {
		try {
			return this.store.list(dir).stream().map(KeyValue::of).toList();
		}
		catch (KeyNotFoundException ex) {
			if (isRoot(dir)) {
				return List.of();
			}
			throw ex;
		}
	}

	private static boolean isRoot(String dir) {
		return dir.isEmpty() || dir.equals("/");
	}

	/** The TTL as Spring Boot properties write durations: {@code 10s}, {@code 500ms}, {@code PT1M}. */
	private static WriteOptions writeOptions(@Nullable String ttl) {
		if (ttl == null || ttl.isBlank()) {
			return WriteOptions.NONE;
		}
		Duration duration;
		try {
			duration = DurationStyle.detectAndParse(ttl.trim());
		}
		catch (IllegalArgumentException ex) {
			throw badRequest("ttl must be a duration such as 10s, 500ms or PT1M, was '" + ttl + "'");
		}
		if (duration.isNegative() || duration.isZero()) {
			throw badRequest("ttl must be positive, was '" + ttl + "'");
		}
		return WriteOptions.ttl(duration);
	}

	/** A pair that carries only the index {@code If-Match} names: all a compare-and-set compares. */
	private static KVPair previous(String key, String ifMatch) {
		String tag = ifMatch.trim();
		if (tag.startsWith("W/")) {
			tag = tag.substring(2);
		}
		if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
			tag = tag.substring(1, tag.length() - 1);
		}
		try {
			long index = Long.parseLong(tag);
			if (index > 0) {
				return KVPair.of(key, new byte[0], index);
			}
		}
		catch (NumberFormatException ex) {
			// Not a number: answered by the 400 below, which quotes the header.
		}
		throw badRequest("If-Match must be one index as the ETag gives it (e.g. \"42\"), was '" + ifMatch + "'");
	}

	private static String etag(KVPair pair) {
		return "\"" + pair.lastIndex() + "\"";
	}

	private static ErrorResponseException badRequest(String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
		problem.setTitle("Bad request");
		return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
	}

}
