package io.valkeyrie.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * How to open a store: the backend, where its servers are, and the settings every backend
 * shares. Backend-specific settings go in {@link #options()} under the names each backend
 * documents (an unknown name is an error, not silently ignored).
 * <p>
 * Immutable. {@link #toString()} never shows credentials. A password or token given as a
 * {@code char[]} is copied; one given as a {@link Supplier} is asked for again whenever the
 * backend authenticates (see {@link Builder#credentials(String, Supplier)}).
 */
public final class StoreConfig {

	/** The default (and smallest backend's) maximum value size: 512 KiB. */
	public static final int DEFAULT_MAX_VALUE_SIZE = 512 * 1024;

	private final String backend;

	private final List<String> endpoints;

	private final String namespace;

	private final @Nullable String username;

	private final @Nullable Supplier<char @Nullable []> password;

	private final @Nullable Supplier<char @Nullable []> token;

	private final @Nullable TlsConfig tls;

	private final Duration requestTimeout;

	private final Duration connectTimeout;

	private final int maxValueSize;

	private final int watchThreads;

	private final Map<String, String> options;

	private StoreConfig(Builder builder) {
		this.backend = builder.backend;
		this.endpoints = List.copyOf(builder.endpoints);
		this.namespace = builder.namespace;
		this.username = builder.username;
		this.password = builder.password;
		this.token = builder.token;
		this.tls = builder.tls;
		this.requestTimeout = builder.requestTimeout;
		this.connectTimeout = builder.connectTimeout;
		this.maxValueSize = builder.maxValueSize;
		this.watchThreads = builder.watchThreads;
		this.options = Collections.unmodifiableMap(new LinkedHashMap<>(builder.options));
	}

	/**
	 * A builder for the given backend.
	 * @param backend {@code local}, {@code consul}, {@code etcd}, {@code zookeeper} or {@code redis}
	 * @return the builder
	 */
	public static Builder builder(String backend) {
		return new Builder(backend);
	}

	/** A builder that starts from this configuration. */
	public Builder toBuilder() {
		Builder builder = new Builder(this.backend).endpoints(this.endpoints)
			.namespace(this.namespace)
			.requestTimeout(this.requestTimeout)
			.connectTimeout(this.connectTimeout)
			.maxValueSize(this.maxValueSize)
			.watchThreads(this.watchThreads);
		builder.username = this.username;
		builder.password = this.password;
		builder.token = this.token;
		builder.tls = this.tls;
		builder.options.putAll(this.options);
		return builder;
	}

	/** The backend name. */
	public String backend() {
		return this.backend;
	}

	/** Server addresses in the backend's own form ({@code http://host:port}, {@code host:port}, ...). */
	public List<String> endpoints() {
		return this.endpoints;
	}

	/** The namespace every key lives under, in normal form; empty for the root. */
	public String namespace() {
		return this.namespace;
	}

	/** The user name, or {@code null}. */
	public @Nullable String username() {
		return this.username;
	}

	/**
	 * The password as a {@code String}, or {@code null}. Never logged. Prefer
	 * {@link #passwordChars()}, which the caller can wipe.
	 */
	public @Nullable String password() {
		return string(passwordChars());
	}

	/**
	 * The password, or {@code null}: a new array each call, which the caller owns and should
	 * wipe after use. A password given as a {@link Supplier} is asked for now.
	 */
	public char @Nullable [] passwordChars() {
		return chars(this.password);
	}

	/** Whether a password is set (without asking a supplier for it). */
	public boolean hasPassword() {
		return this.password != null;
	}

	/**
	 * An access token (Consul ACL token) as a {@code String}, or {@code null}. Never logged.
	 * Prefer {@link #tokenChars()}, which the caller can wipe.
	 */
	public @Nullable String token() {
		return string(tokenChars());
	}

	/**
	 * The access token, or {@code null}: a new array each call, which the caller owns and
	 * should wipe after use. A token given as a {@link Supplier} is asked for now.
	 */
	public char @Nullable [] tokenChars() {
		return chars(this.token);
	}

	/** Whether a token is set (without asking a supplier for it). */
	public boolean hasToken() {
		return this.token != null;
	}

	private static char @Nullable [] chars(@Nullable Supplier<char @Nullable []> secret) {
		char[] value = (secret != null) ? secret.get() : null;
		// A copy: the caller wipes it, and a supplier may hand out an array it keeps.
		return (value != null) ? value.clone() : null;
	}

	private static @Nullable String string(char @Nullable [] chars) {
		if (chars == null) {
			return null;
		}
		String string = new String(chars);
		java.util.Arrays.fill(chars, '\0');
		return string;
	}

	/** TLS settings, or {@code null} for a plain connection. */
	public @Nullable TlsConfig tls() {
		return this.tls;
	}

	/** The upper bound of every call. */
	public Duration requestTimeout() {
		return this.requestTimeout;
	}

	/** The upper bound of establishing a connection. */
	public Duration connectTimeout() {
		return this.connectTimeout;
	}

	/** The largest value accepted, in bytes. */
	public int maxValueSize() {
		return this.maxValueSize;
	}

	/** How many threads deliver watch events to listeners (shared by all watches of a store). */
	public int watchThreads() {
		return this.watchThreads;
	}

	/** Backend-specific settings by name. */
	public Map<String, String> options() {
		return this.options;
	}

	/**
	 * A backend-specific setting.
	 * @param name the setting's name
	 * @return its value, or {@code null}
	 */
	public @Nullable String option(String name) {
		return this.options.get(name);
	}

	@Override
	public String toString() {
		return "StoreConfig[backend=" + this.backend + ", endpoints="
				+ io.valkeyrie.store.internal.Secrets.endpoints(this.endpoints) + ", namespace='"
				+ this.namespace + "', username=" + this.username + ", password=" + mask(this.password) + ", token="
				+ mask(this.token) + ", tls=" + this.tls + ", requestTimeout=" + io.valkeyrie.store.internal.BackendOptions.format(this.requestTimeout)
				+ ", connectTimeout=" + io.valkeyrie.store.internal.BackendOptions.format(this.connectTimeout) + ", maxValueSize=" + this.maxValueSize + ", options="
				+ maskedOptions() + "]";
	}

	/** The options with the values of secret-looking names (password, secret, token) masked. */
	private Map<String, String> maskedOptions() {
		Map<String, String> masked = new LinkedHashMap<>();
		this.options.forEach((name, value) -> {
			String lower = name.toLowerCase(java.util.Locale.ROOT);
			boolean secret = lower.contains("password") || lower.contains("secret") || lower.contains("token");
			masked.put(name, secret ? mask(value) : value);
		});
		return masked;
	}

	private static String mask(@Nullable Object secret) {
		return (secret != null) ? "******" : "null";
	}

	/** Builder of {@link StoreConfig}. */
	public static final class Builder {

		private final String backend;

		private final List<String> endpoints = new ArrayList<>();

		private String namespace = "";

		private @Nullable String username;

		private @Nullable Supplier<char @Nullable []> password;

		private @Nullable Supplier<char @Nullable []> token;

		private @Nullable TlsConfig tls;

		private Duration requestTimeout = Duration.ofSeconds(5);

		private Duration connectTimeout = Duration.ofSeconds(5);

		private int maxValueSize = DEFAULT_MAX_VALUE_SIZE;

		private int watchThreads = 4;

		private final Map<String, String> options = new LinkedHashMap<>();

		private Builder(String backend) {
			Objects.requireNonNull(backend, "'backend' must not be null");
			this.backend = backend.trim().toLowerCase(java.util.Locale.ROOT);
		}

		/** Server addresses; replaces any given before. */
		public Builder endpoints(List<String> endpoints) {
			this.endpoints.clear();
			endpoints.forEach(this::endpoint);
			return this;
		}

		/** Server addresses; replaces any given before. */
		public Builder endpoints(String... endpoints) {
			return endpoints(List.of(endpoints));
		}

		/** Add one server address. */
		public Builder endpoint(String endpoint) {
			if (endpoint == null || endpoint.isBlank()) {
				throw new IllegalArgumentException("'endpoint' must not be blank");
			}
			this.endpoints.add(endpoint.trim());
			return this;
		}

		/** The namespace (root path), validated and normalized like a key; empty for the root. */
		public Builder namespace(@Nullable String namespace) {
			this.namespace = io.valkeyrie.store.internal.Keys.namespace(namespace);
			return this;
		}

		/**
		 * User name and password. Prefer {@link #credentials(String, char[])} or
		 * {@link #credentials(String, Supplier)}: a {@code String} cannot be wiped.
		 */
		public Builder credentials(@Nullable String username, @Nullable String password) {
			return credentials(username, (password != null) ? password.toCharArray() : null);
		}

		/**
		 * User name and password. The array is copied: the caller may wipe its own.
		 */
		public Builder credentials(@Nullable String username, char @Nullable [] password) {
			this.username = username;
			this.password = fixed(password);
			return this;
		}

		/**
		 * User name and a password the store asks for whenever the backend authenticates, so a
		 * rotated password is used without reopening the store: Redis on every connect and
		 * reconnect; etcd and ZooKeeper once, when the store opens (their clients keep the
		 * credential to re-authenticate). The array returned is copied; the supplier may
		 * return {@code null} for no password. It is called on the client's I/O threads and
		 * must not block.
		 * @param password the password's source
		 */
		public Builder credentials(@Nullable String username, Supplier<char @Nullable []> password) {
			Objects.requireNonNull(password, "'password' must not be null");
			this.username = username;
			this.password = password;
			return this;
		}

		/**
		 * An access token (Consul ACL token). Prefer {@link #token(char[])} or
		 * {@link #token(Supplier)}: a {@code String} cannot be wiped.
		 */
		public Builder token(@Nullable String token) {
			return token((token != null) ? token.toCharArray() : null);
		}

		/** An access token (Consul ACL token). The array is copied: the caller may wipe its own. */
		public Builder token(char @Nullable [] token) {
			this.token = fixed(token);
			return this;
		}

		/**
		 * An access token (Consul ACL token) the store asks for on every request, so a rotated
		 * token is used without reopening the store. The array returned is copied.
		 * @param token the token's source
		 */
		public Builder token(Supplier<char @Nullable []> token) {
			this.token = Objects.requireNonNull(token, "'token' must not be null");
			return this;
		}

		private static @Nullable Supplier<char @Nullable []> fixed(char @Nullable [] secret) {
			if (secret == null) {
				return null;
			}
			char[] copy = secret.clone();
			return () -> copy;
		}

		/** TLS settings; {@code null} for a plain connection. */
		public Builder tls(@Nullable TlsConfig tls) {
			this.tls = tls;
			return this;
		}

		/** The upper bound of every call (default 5 s). */
		public Builder requestTimeout(Duration requestTimeout) {
			this.requestTimeout = positive(requestTimeout, "requestTimeout");
			return this;
		}

		/** The upper bound of establishing a connection (default 5 s). */
		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = positive(connectTimeout, "connectTimeout");
			return this;
		}

		/** The largest value accepted, in bytes (default 512 KiB). */
		public Builder maxValueSize(int maxValueSize) {
			if (maxValueSize <= 0) {
				throw new IllegalArgumentException("'maxValueSize' must be positive, was " + maxValueSize);
			}
			this.maxValueSize = maxValueSize;
			return this;
		}

		/** How many threads deliver watch events (default 4). */
		public Builder watchThreads(int watchThreads) {
			if (watchThreads <= 0) {
				throw new IllegalArgumentException("'watchThreads' must be positive, was " + watchThreads);
			}
			this.watchThreads = watchThreads;
			return this;
		}

		/** A backend-specific setting. */
		public Builder option(String name, @Nullable Object value) {
			Objects.requireNonNull(name, "'name' must not be null");
			if (value == null) {
				this.options.remove(name);
			}
			else {
				this.options.put(name, value.toString());
			}
			return this;
		}

		public StoreConfig build() {
			return new StoreConfig(this);
		}

		private static Duration positive(Duration value, String name) {
			Objects.requireNonNull(value, () -> "'" + name + "' must not be null");
			if (value.isNegative() || value.isZero()) {
				throw new IllegalArgumentException("'" + name + "' must be positive, was " + value);
			}
			return value;
		}

	}

}
