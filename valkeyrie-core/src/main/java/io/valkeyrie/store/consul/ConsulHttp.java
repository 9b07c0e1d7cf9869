package io.valkeyrie.store.consul;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreInterruptedException;
import io.valkeyrie.store.StoreUnavailableException;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.internal.Reachability;
import io.valkeyrie.store.internal.TlsProbe;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import org.jspecify.annotations.Nullable;

/**
 * Consul's HTTP API on a pooled Apache HttpClient 5: one place that builds URLs (keys
 * percent-encoded per segment), adds the ACL token and datacenter, bounds every call by the
 * request timeout and turns I/O failures into {@link StoreUnavailableException}. The token
 * travels only in the {@code X-Consul-Token} header and is never logged.
 */
final class ConsulHttp implements AutoCloseable {

	private static final String BACKEND = "consul";

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private final List<URI> endpoints;

	private final AtomicInteger current = new AtomicInteger();

	private final AtomicInteger blocking = new AtomicInteger();

	/** The store's configuration, asked for the token on every request (it may be rotated). */
	private final StoreConfig config;

	private final @Nullable String datacenter;

	private final Duration requestTimeout;

	private final PoolingHttpClientConnectionManager connections;

	private final CloseableHttpClient client;

	/** The TLS settings of the connections, {@code null} for plain HTTP. */
	private final @Nullable SSLContext sslContext;

	private final boolean verifyHostname;

	private final Duration connectTimeout;

	/** The requests callers wait for now: a closing store ends them at once. */
	private final Set<HttpUriRequestBase> inFlight = ConcurrentHashMap.newKeySet();

	/** Once the store closes: the threads whose requests still go out (the store's own last requests). */
	private volatile @Nullable Predicate<Thread> closer;

	private volatile @Nullable Reachability reachability;

	ConsulHttp(StoreConfig config, ConsulSettings settings) {
		this.endpoints = settings.endpoints();
		this.config = config;
		this.datacenter = settings.datacenter();
		this.requestTimeout = config.requestTimeout();
		Duration connectTimeout = min(config.connectTimeout(), config.requestTimeout());
		PoolingHttpClientConnectionManagerBuilder builder = PoolingHttpClientConnectionManagerBuilder.create()
			.setMaxConnTotal(settings.maxConnections())
			.setMaxConnPerRoute(settings.maxConnections())
			.setDefaultConnectionConfig(ConnectionConfig.custom()
				.setConnectTimeout(Timeout.of(connectTimeout))
				.setSocketTimeout(Timeout.of(config.requestTimeout()))
				// A restarted agent leaves dead pooled connections behind; check those idle for a while.
				.setValidateAfterInactivity(TimeValue.ofMilliseconds(500))
				.build());
		TlsConfig tls = config.tls();
		this.sslContext = (tls != null) ? sslContext(tls) : null;
		this.verifyHostname = tls == null || tls.verifyHostname();
		this.connectTimeout = connectTimeout;
		if (tls != null) {
			ClientTlsStrategyBuilder strategy = ClientTlsStrategyBuilder.create().setSslContext(this.sslContext);
			if (!tls.verifyHostname()) {
				strategy.setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
			}
			builder.setTlsSocketStrategy(strategy.buildClassic());
		}
		this.connections = builder.build();
		this.client = HttpClients.custom()
			.setConnectionManager(this.connections)
			.disableAutomaticRetries()
			// Consul gzips every answer a client accepts gzipped, even "true": CPU on both sides for
			// nothing on the loopback or LAN path to an agent.
			.disableContentCompression()
			.disableCookieManagement()
			.disableRedirectHandling()
			.disableAuthCaching()
			.evictIdleConnections(TimeValue.ofSeconds(30))
			.setDefaultRequestConfig(RequestConfig.custom()
				.setConnectionRequestTimeout(Timeout.of(config.requestTimeout()))
				.setResponseTimeout(Timeout.of(config.requestTimeout()))
				.build())
			.build();
	}

	/** A response: HTTP status, the {@code X-Consul-Index} header (0 when absent) and the body. */
	record Response(int status, long index, byte[] body) {

		boolean ok() {
			return this.status == 200;
		}

		String text() {
			return new String(this.body, StandardCharsets.UTF_8).trim();
		}

	}

	Response get(String path, String query) {
		return reported(() -> execute("GET", path, query, null, null, true));
	}

	Response put(String path, String query, byte @Nullable [] body) {
		return reported(() -> execute("PUT", path, query, body, null, false));
	}

	/** A write with a response timeout of its own ({@code timeout}, at most the request timeout). */
	Response put(String path, String query, byte @Nullable [] body, Duration timeout) {
		return reported(() -> execute("PUT", path, query, body, min(timeout, this.requestTimeout), false));
	}

	Response delete(String path, String query) {
		return reported(() -> execute("DELETE", path, query, null, null, false));
	}

	/**
	 * A blocking query: waits up to {@code wait} (plus Consul's jitter of wait/16) on top of
	 * the request timeout. Interruptible: an interrupt aborts the request.
	 */
	Response blockingGet(String path, String query, long index, Duration wait, @Nullable Aborter aborter) {
		String q = query + (query.isEmpty() ? "" : "&") + "index=" + index + "&wait=" + Math.max(1, wait.toMillis()) + "ms";
		Duration timeout = this.requestTimeout.plus(wait).plus(wait.dividedBy(16));
		this.blocking.incrementAndGet();
		try {
			return reported(() -> execute("GET", path, q, null, timeout, true, aborter));
		}
		finally {
			this.blocking.decrementAndGet();
		}
	}

	/** Report whether the agent answers each request to {@code reachability} from now on. */
	void reportTo(Reachability reachability) {
		this.reachability = reachability;
	}

	private Response reported(Supplier<Response> request) {
		Reachability reporting = this.reachability;
		if (reporting == null) {
			return request.get();
		}
		Response response;
		long started = reporting.now();
		try {
			response = request.get();
		}
		catch (StoreUnavailableException ex) {
			if (this.closer == null) {
				// Not a request the closing store ended.
				reporting.callFailed(ex, started);
			}
			throw ex;
		}
		reporting.reachable();
		return response;
	}

	/** The number of blocking queries in flight. */
	int blockingQueries() {
		return this.blocking.get();
	}

	/** Lets another thread abort a blocking request (used on close and interrupt). */
	static final class Aborter {

		private volatile @Nullable HttpUriRequestBase request;

		private volatile boolean aborted;

		private final AtomicBoolean woken = new AtomicBoolean();

		void abort() {
			this.aborted = true;
			cancel();
		}

		/**
		 * End the request in flight (or the next one) with a {@link StoreInterruptedException},
		 * once, without aborting later ones.
		 */
		void wake() {
			this.woken.set(true);
			cancel();
		}

		private void cancel() {
			HttpUriRequestBase r = this.request;
			if (r != null) {
				r.cancel();
			}
		}

		private boolean stopped() {
			return this.aborted || this.woken.getAndSet(false);
		}

		boolean aborted() {
			return this.aborted;
		}

	}

	private Response execute(String method, String path, String query, byte @Nullable [] body, @Nullable Duration timeout,
			boolean idempotent) {
		return execute(method, path, query, body, timeout, idempotent, null);
	}

	private Response execute(String method, String path, String query, byte @Nullable [] body, @Nullable Duration timeout,
			boolean idempotent, @Nullable Aborter aborter) {
		IOException failure = null;
		int start = this.current.get();
		int attempts = this.endpoints.size() + (idempotent ? 1 : 0);
		long deadline = System.nanoTime() + ((timeout != null) ? timeout : this.requestTimeout).toNanos();
		for (int attempt = 0; attempt < attempts; attempt++) {
			int endpoint = Math.floorMod(start + attempt, this.endpoints.size());
			HttpUriRequestBase request = new HttpUriRequestBase(method, uri(this.endpoints.get(endpoint), path, query));
			char[] token = this.config.tokenChars();
			if (token != null) {
				// A header is a String: made here, for this request only.
				request.addHeader("X-Consul-Token", new String(token));
				java.util.Arrays.fill(token, '\0');
			}
			if (body != null) {
				request.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_OCTET_STREAM));
			}
			if (timeout != null) {
				request.setConfig(RequestConfig.custom()
					.setConnectionRequestTimeout(Timeout.of(this.requestTimeout))
					.setResponseTimeout(Timeout.of(timeout))
					.build());
			}
			if (aborter != null) {
				aborter.request = request;
				if (aborter.stopped()) {
					throw new StoreInterruptedException("Consul request aborted", null);
				}
			}
			this.inFlight.add(request);
			Predicate<Thread> closing = this.closer;
			if (closing != null && !closing.test(Thread.currentThread())) {
				// Started after endInFlight ran (a watch registration woken by the close, the feed):
				// ended like those in flight then; closing the client later does not end a read on a
				// connection it has leased, so a frozen agent would hold it for the whole timeout.
				request.cancel();
			}
			try {
				Response response = this.client.execute(request, (http) -> {
					Header index = http.getFirstHeader("X-Consul-Index");
					byte[] content = (http.getEntity() != null) ? EntityUtils.toByteArray(http.getEntity()) : new byte[0];
					return new Response(http.getCode(), (index != null) ? parseIndex(index.getValue()) : 0, content);
				});
				this.current.set(endpoint);
				if (response.status() >= 500) {
					throw new StoreUnavailableException(BACKEND, method + " /v1/" + path + " answered " + response.status() + ": "
							+ response.text(), null);
				}
				if (response.status() == 403) {
					// "ACL not found": the agent knows no such token, rather than one without the permission.
					String reason = response.text().contains("ACL not found") ? "no such ACL token"
							: "ACL token lacks the permission";
					throw new StoreException("consul denied " + method + " /v1/" + path + " (" + reason + "): "
							+ response.text());
				}
				return response;
			}
			catch (CancellationException ex) {
				// The wait for a pooled connection was interrupted (HttpClient set the interrupt status again).
				Thread.currentThread().interrupt();
				throw new StoreInterruptedException("Interrupted while waiting for a consul connection", ex);
			}
			catch (InterruptedIOException ex) {
				if (aborter != null && aborter.stopped()) {
					throw new StoreInterruptedException("Consul request aborted", ex);
				}
				if (Thread.currentThread().isInterrupted()) {
					throw new StoreInterruptedException("Interrupted during a consul request", ex);
				}
				if (request.isCancelled()) {
					// Ended by a closing store (HttpClient reports a cancelled request as interrupted I/O).
					throw new StoreUnavailableException(BACKEND, method + " /v1/" + path + " was aborted", ex);
				}
				if (ex instanceof ConnectTimeoutException && System.nanoTime() < deadline) {
					// Never reached this agent: the next endpoint may answer.
					failure = ex;
					continue;
				}
				// A timeout: the agent is there but does not answer in time. This call's time is spent (and
				// a write may have been applied), but later calls go to the next endpoint: an agent that is
				// cut off or frozen would otherwise hold the store for good, while any other agent forwards
				// to the leader just as well.
				this.current.compareAndSet(endpoint, Math.floorMod(endpoint + 1, this.endpoints.size()));
				throw new StoreUnavailableException(BACKEND, method + " /v1/" + path + " timed out: " + ex.getMessage(), ex);
			}
			catch (IOException ex) {
				if (aborter != null && aborter.stopped()) {
					throw new StoreInterruptedException("Consul request aborted", ex);
				}
				if (request.isCancelled()) {
					// Ended by a closing store: no other endpoint either.
					throw new StoreUnavailableException(BACKEND, method + " /v1/" + path + " was aborted", ex);
				}
				failure = ex;
				// Only a request that never reached the agent may go again (to the next endpoint); a
				// write whose answer was lost may have been applied.
				if (!idempotent && !(ex instanceof ConnectException)) {
					break;
				}
				if (System.nanoTime() >= deadline) {
					break;
				}
			}
			finally {
				this.inFlight.remove(request);
			}
		}
		throw new StoreUnavailableException(BACKEND, method + " /v1/" + path + " failed: " + failure, failure);
	}

	private URI uri(URI endpoint, String path, String query) {
		StringBuilder uri = new StringBuilder(endpoint.toString()).append("/v1/").append(path);
		boolean hasQuery = !query.isEmpty();
		if (hasQuery) {
			uri.append('?').append(query);
		}
		if (this.datacenter != null && !path.startsWith("agent/")) {
			uri.append(hasQuery ? '&' : '?').append("dc=").append(encodeSegment(this.datacenter));
		}
		return URI.create(uri.toString());
	}

	/** The path of a KV key: {@code kv/} and every segment percent-encoded. */
	static String kvPath(String consulKey) {
		StringBuilder out = new StringBuilder(consulKey.length() + 8).append("kv/");
		int start = 0;
		for (int i = 0; i <= consulKey.length(); i++) {
			if (i == consulKey.length() || consulKey.charAt(i) == '/') {
				out.append(encodeSegment(consulKey.substring(start, i)));
				if (i < consulKey.length()) {
					out.append('/');
				}
				start = i + 1;
			}
		}
		return out.toString();
	}

	/** Percent-encode everything but RFC 3986's unreserved characters. */
	static String encodeSegment(String segment) {
		byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
		StringBuilder out = new StringBuilder(bytes.length + 8);
		for (byte b : bytes) {
			int c = b & 0xFF;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
					|| c == '~') {
				out.append((char) c);
			}
			else {
				out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
			}
		}
		return out.toString();
	}

	private static long parseIndex(String value) {
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	/**
	 * Why the agents refused TLS, when a request failed without saying (a refused client
	 * certificate can show as a broken pipe): the failure of a handshake with each HTTPS
	 * endpoint, or {@code null} if none fails.
	 */
	@Nullable SSLException tlsFailure() {
		SSLContext context = this.sslContext;
		if (context == null) {
			return null;
		}
		for (URI endpoint : this.endpoints) {
			if ("https".equals(endpoint.getScheme())) {
				SSLException failure = TlsProbe.failure(context, endpoint.getHost(),
						(endpoint.getPort() != -1) ? endpoint.getPort() : 443, this.verifyHostname, this.connectTimeout);
				if (failure != null) {
					return failure;
				}
			}
		}
		return null;
	}

	private static SSLContext sslContext(TlsConfig tls) {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init((tls.keyManagers() != null) ? tls.keyManagers().getKeyManagers() : null,
					(tls.trustManagers() != null) ? tls.trustManagers().getTrustManagers() : null, null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new StoreConfigurationException("Cannot set up TLS for consul: " + ex.getMessage());
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	/**
	 * Abort every request in flight now, and every request other threads start from now on:
	 * the store is closing. Only the requests of the threads {@code closing} accepts still go
	 * out (the store's own last requests, such as releasing locks and sessions).
	 */
	void endInFlight(Predicate<Thread> closing) {
		this.closer = closing;
		this.inFlight.forEach(HttpUriRequestBase::cancel);
	}

	@Override
	public void close() {
		this.client.close(CloseMode.IMMEDIATE);
		this.connections.close(CloseMode.IMMEDIATE);
	}

	@Override
	public String toString() {
		return "ConsulHttp" + this.endpoints;
	}

}
