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

import io.valkeyrie.benchmarks.lock.Locker;

/**
 * Lock + unlock cycles per second on one key: ours on every backend and Spring
 * Integration's registries on Redis (spin, pub/sub) and ZooKeeper. Every benchmark thread
 * has its own client (store or registry and connection), as competing processes would;
 * with 4 threads they all compete for the same key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LockBenchmark {

	@Param({ "ours-local", "ours-etcd", "ours-zookeeper", "ours-redis", "ours-consul", "si-redis-spin", "si-redis-pubsub",
			"si-zookeeper" })
	public String variant;

	/** One competitor: its own client and its lock on the shared key. */
	@State(Scope.Thread)
	public static class Competitor {

		Locker locker;

		@Setup(Level.Trial)
		public void open(LockBenchmark benchmark) {
			this.locker = Locker.open(benchmark.variant, "bench/lock");
		}

		@TearDown(Level.Trial)
		public void close() {
			this.locker.close();
		}

	}

	@Benchmark
	public void lockUnlock(Competitor competitor) {
		competitor.locker.lock();
		competitor.locker.unlock();
	}

}
