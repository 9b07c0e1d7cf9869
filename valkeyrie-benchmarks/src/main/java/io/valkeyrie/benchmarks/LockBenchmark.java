package io.valkeyrie.benchmarks;

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

import io.valkeyrie.benchmarks.lock.LockClient;
import io.valkeyrie.benchmarks.lock.Locker;

/**
 * Lock + unlock cycles per second on one key: ours on every backend and Spring
 * Integration's registries on Redis (spin, pub/sub) and ZooKeeper. With
 * {@code clients=own} every benchmark thread has its own client (store, or registry and
 * connection), as competing processes would; with {@code clients=shared} the threads share
 * one client, as the threads of one application do (Spring Integration then queues them
 * on a local lock in front of the remote one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LockBenchmark {

	static final String KEY = "bench/lock";

	@Param({ "ours-local", "ours-etcd", "ours-zookeeper", "ours-redis", "ours-consul", "si-redis-spin", "si-redis-pubsub",
			"si-zookeeper" })
	public String variant;

	@Param({ "own", "shared" })
	public String clients;

	LockClient shared;

	@Setup(Level.Trial)
	public void open() {
		if (this.clients.equals("shared")) {
			this.shared = LockClient.open(this.variant);
		}
	}

	@TearDown(Level.Trial)
	public void close() {
		if (this.shared != null) {
			this.shared.close();
		}
	}

	/** One competing thread: its lock, on its own client or the shared one. */
	@State(Scope.Thread)
	public static class Competitor {

		LockClient own;

		Locker locker;

		@Setup(Level.Trial)
		public void open(LockBenchmark benchmark) {
			if (benchmark.shared != null) {
				this.locker = benchmark.shared.locker(KEY);
			}
			else {
				this.own = LockClient.open(benchmark.variant);
				this.locker = this.own.locker(KEY);
			}
		}

		@TearDown(Level.Trial)
		public void close() {
			if (this.own != null) {
				this.own.close();
			}
		}

	}

	@Benchmark
	public void lockUnlock(Competitor competitor) {
		competitor.locker.lock();
		competitor.locker.unlock();
	}

}
