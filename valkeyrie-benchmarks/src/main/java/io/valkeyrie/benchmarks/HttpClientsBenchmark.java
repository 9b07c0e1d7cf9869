package io.valkeyrie.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.valkeyrie.benchmarks.http.HttpGetter;
import io.valkeyrie.benchmarks.kv.ConsulHttp;

/**
 * {@code GET /v1/kv/<key>} on the benchmark Consul agent through each HTTP client the
 * consul backend could use (issue 10 asked to pick the client on numbers); one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HttpClientsBenchmark {

	private static final String PATH = "/v1/kv/bench-http/k";

	@Param({ "apache5", "jdk", "okhttp", "reactor-netty" })
	public String client;

	HttpGetter getter;

	@Setup(Level.Trial)
	public void open() {
		try (ConsulHttp http = new ConsulHttp()) {
			http.put(PATH, "value".getBytes(StandardCharsets.UTF_8));
		}
		this.getter = HttpGetter.open(this.client, BenchServers.endpoint("consul"));
	}

	@TearDown(Level.Trial)
	public void close() {
		this.getter.close();
	}

	@Benchmark
	public byte[] get() {
		return this.getter.get(PATH);
	}

}
