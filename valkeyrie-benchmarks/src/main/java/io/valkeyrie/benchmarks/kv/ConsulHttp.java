package io.valkeyrie.benchmarks.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

import io.valkeyrie.benchmarks.BenchServers;

/**
 * Raw Consul HTTP calls on the client the consul backend uses: a pooled Apache HttpClient
 * 5 (classic API).
 */
public final class ConsulHttp implements AutoCloseable {

	private final CloseableHttpClient client;

	private final String base;

	public ConsulHttp() {
		this.client = HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
				.setMaxConnTotal(64)
				.setMaxConnPerRoute(64)
				.setDefaultConnectionConfig(ConnectionConfig.custom()
					.setConnectTimeout(Timeout.ofSeconds(5))
					.setSocketTimeout(Timeout.ofSeconds(60))
					.build())
				.build())
			.disableAutomaticRetries()
			// As the backend does: Consul would gzip every answer.
			.disableContentCompression()
			.build();
		this.base = BenchServers.endpoint("consul");
	}

	/** An answer: status, body, and the X-Consul-Index header (or -1). */
	public record Answer(int status, byte[] body, long index) {

		public String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

	}

	public Answer get(String pathAndQuery) {
		return send(new HttpGet(this.base + pathAndQuery));
	}

	public Answer put(String pathAndQuery, byte[] body) {
		HttpPut put = new HttpPut(this.base + pathAndQuery);
		put.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_OCTET_STREAM));
		return send(put);
	}

	private Answer send(HttpUriRequestBase request) {
		try {
			return this.client.execute(request, (response) -> {
				byte[] body = (response.getEntity() != null) ? EntityUtils.toByteArray(response.getEntity()) : new byte[0];
				var index = response.getFirstHeader("X-Consul-Index");
				return new Answer(response.getCode(), body, (index != null) ? Long.parseLong(index.getValue()) : -1);
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.client.close();
		}
		catch (IOException ex) {
			// Closing pooled connections to a local agent; nothing to recover.
		}
	}

}
