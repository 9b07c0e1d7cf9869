package io.valkeyrie.sample;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import io.valkeyrie.store.KVPair;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.WriteOptions;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API over the {@link Store}: {@code /api/kv/{key}} reads, writes and deletes one
 * key, {@code /api/list/{dir}} lists a directory. Values are bytes: a write stores the body
 * as is, a read with {@code Accept: application/octet-stream} gives them back as is, and
 * JSON carries them as {@link KeyValue}s. The ETag of a key is its index; a write or delete
 * with {@code If-Match} is a compare-and-set (see {@link IfMatch}; 412 when the key changed
 * or is gone), a write with {@code If-None-Match: *} creates the key only if it is absent
 * (412 when it exists). Store failures become problem details in valkeyrie's
 * {@link io.valkeyrie.boot.web.StoreExceptionProblemHandler} ({@code valkeyrie.web.problem-details.enabled}).
 */
@RestController
@RequestMapping("/api")
class KeyValueController {

	/** How often {@code If-Match: *} retries a write that another client's write beat. */
	private static final int ANY_MATCH_ATTEMPTS = 10;

	private final Store store;

	KeyValueController(Store store) {
		this.store = store;
	}

	/**
	 * Read a key: JSON, or the value's bytes when the client asks for
	 * {@code application/octet-stream} (and prefers it to JSON).
	 * @param path the key as the path gives it
	 * @param accept the {@code Accept} header
	 * @return the key, with its index as the ETag
	 */
	@GetMapping("/kv/{*path}")
	ResponseEntity<?> get(@PathVariable String path,
			@RequestHeader(name = HttpHeaders.ACCEPT, required = false) @Nullable String accept) {
		KVPair pair = this.store.get(key(path));
		ResponseEntity.BodyBuilder response = ResponseEntity.ok().eTag(etag(pair));
		if (Negotiation.prefersBytes(accept)) {
			return response.contentType(MediaType.APPLICATION_OCTET_STREAM).body(pair.value());
		}
		return response.contentType(MediaType.APPLICATION_JSON).body(KeyValue.of(pair));
	}

	/**
	 * Write a key. The body is the value, stored as bytes whatever its content type.
	 * @param path the key as the path gives it
	 * @param request the request, whose body is read up to the store's limit
	 * @param ttl how long the key lives, with a unit: {@code 10s}, {@code 500ms},
	 * {@code PT1M}; permanent without
	 * @param ifMatch the index the key must still have (compare-and-set), or {@code *}
	 * @param ifNoneMatch {@code *} to create the key only if it is absent
	 * @return 204 for a plain write; the new key and its ETag for a conditional one
	 * @throws IOException if the body cannot be read
	 */
	@PutMapping("/kv/{*path}")
	ResponseEntity<KeyValue> put(@PathVariable String path, HttpServletRequest request,
			@RequestParam(required = false) @Nullable String ttl,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch,
			@RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) @Nullable String ifNoneMatch)
			throws IOException {
		String key = key(path);
		WriteOptions options = writeOptions(ttl);
		if (ifMatch != null && ifNoneMatch != null) {
			throw Problems.badRequest("Send either If-Match (update) or If-None-Match: * (create), not both");
		}
		if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
			throw Problems.badRequest("If-None-Match must be '*' (create only if absent), was '" + ifNoneMatch + "'");
		}
		IfMatch condition = (ifMatch != null) ? IfMatch.parse(ifMatch) : null;
		byte[] value = ValueBody.read(request, key, this.store.maxValueSize());
		if (ifNoneMatch != null) {
			KVPair created = this.store.atomicPut(key, value, null, options);
			return ResponseEntity.created(URI.create("/api/kv/" + created.key())).eTag(etag(created))
				.body(KeyValue.of(created));
		}
		if (condition != null) {
			KVPair updated = conditionally(key, condition,
					(previous) -> this.store.atomicPut(key, value, previous, options));
			return ResponseEntity.ok().eTag(etag(updated)).body(KeyValue.of(updated));
		}
		this.store.put(key, value, options);
		return ResponseEntity.noContent().build();
	}

	/**
	 * Delete a key; keys below it stay.
	 * @param path the key as the path gives it
	 * @param ifMatch the index the key must still have (compare-and-delete), or {@code *}
	 * @return 204
	 */
	@DeleteMapping("/kv/{*path}")
	ResponseEntity<Void> delete(@PathVariable String path,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch) {
		String key = key(path);
		if (ifMatch != null) {
			conditionally(key, IfMatch.parse(ifMatch), (previous) -> {
				this.store.atomicDelete(key, previous);
				return previous;
			});
		}
		else {
			this.store.delete(key);
		}
		return ResponseEntity.noContent().build();
	}

	/**
	 * Every key below a directory, at any depth, sorted by key. The root always exists (an
	 * empty store lists nothing); any other directory with nothing at or below it is 404.
	 * @param path the directory as the path gives it
	 * @return the keys
	 */
	@GetMapping("/list/{*path}")
	List<KeyValue> list(@PathVariable String path) {
		String dir = key(path);
		try {
			return this.store.list(dir).stream().map(KeyValue::of).toList();
		}
		catch (KeyNotFoundException ex) {
			if (dir.isEmpty() || dir.equals("/")) {
				return List.of();
			}
			throw ex;
		}
	}

	/**
	 * Run a compare-and-set write if the key matches the condition. A single index goes
	 * straight to the store; {@code *} and lists read the key first. A key that is gone fails
	 * the condition: 412, not 404 (RFC 9110, section 13.1.1).
	 */
	private <T> T conditionally(String key, IfMatch condition, Function<KVPair, T> write) {
		if (!condition.any() && condition.indexes().isEmpty()) {
			throw Problems.preconditionFailed("Precondition failed", "If-Match matches no entity tag of key '" + key
					+ "': its tags are indexes such as \"42\", and a weak tag (W/\"42\") never matches, "
					+ "as If-Match compares strongly (RFC 9110, section 13.1.1)", null);
		}
		try {
			if (!condition.any() && condition.indexes().size() == 1) {
				return write.apply(KVPair.of(key, new byte[0], condition.indexes().get(0)));
			}
			for (int attempt = 1;; attempt++) {
				KVPair current = this.store.get(key);
				if (!condition.any() && !condition.indexes().contains(current.lastIndex())) {
					throw Problems.preconditionFailed("Key modified", "Key '" + key + "' is at index "
							+ current.lastIndex() + ", none of If-Match's " + condition.indexes(), "KeyModifiedException");
				}
				try {
					return write.apply(current);
				}
				catch (KeyModifiedException ex) {
					// Written in between: for '*' it still exists, so try again; a listed index no longer matches.
					if (!condition.any() || attempt == ANY_MATCH_ATTEMPTS) {
						throw ex;
					}
				}
			}
		}
		catch (KeyNotFoundException ex) {
			throw Problems.preconditionFailed("Key not found", ex.getMessage(), "KeyNotFoundException");
		}
	}

	/**
	 * The key as the user wrote it after {@code /api/kv/}: the path variable starts with the
	 * path's own {@code /}, which is no part of it (so messages quote what the user sent).
	 */
	private static String key(String path) {
		return path.startsWith("/") ? path.substring(1) : path;
	}

	/** The TTL as Spring Boot properties write durations, but with a unit: {@code 10s}, {@code 500ms}, {@code PT1M}. */
	private static WriteOptions writeOptions(@Nullable String ttl) {
		if (ttl == null || ttl.isBlank()) {
			return WriteOptions.NONE;
		}
		String text = ttl.trim();
		if (text.chars().allMatch((c) -> Character.isDigit(c) || c == '-' || c == '+')) {
			// A bare number would be milliseconds to DurationStyle: "10" meant as seconds would expire at once.
			throw Problems.badRequest("ttl needs a unit, such as 10s, 500ms or PT1M, was '" + ttl + "'");
		}
		Duration duration;
		try {
			duration = DurationStyle.detectAndParse(text);
		}
		catch (IllegalArgumentException ex) {
			throw Problems.badRequest("ttl must be a duration such as 10s, 500ms or PT1M, was '" + ttl + "'");
		}
		if (duration.isNegative() || duration.isZero()) {
			throw Problems.badRequest("ttl must be positive, was '" + ttl + "'");
		}
		return WriteOptions.ttl(duration);
	}

	private static String etag(KVPair pair) {
		return "\"" + pair.lastIndex() + "\"";
	}

}
