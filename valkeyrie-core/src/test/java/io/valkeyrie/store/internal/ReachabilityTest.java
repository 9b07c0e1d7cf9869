package io.valkeyrie.store.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.valkeyrie.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReachabilityTest {

	private final AtomicLong now = new AtomicLong(42);

	private final Reachability reachability = new Reachability("etcd store (namespace 'apps')", this.now::get);

	@Test
	void logsOneWarningPerOutageAndOneInfoWithItsLengthWhenItEnds() {
		String log = captured(() -> {
			this.reachability.reachable();
			this.reachability.unreachable("connection refused");
			this.now.addAndGet(Duration.ofMillis(1_000).toNanos());
			this.reachability.unreachable("connection refused");
			this.reachability.unreachable("deadline exceeded");
			assertThat(this.reachability.isReachable()).isFalse();
			this.now.addAndGet(Duration.ofMillis(4_180).toNanos());
			this.reachability.reachable();
			this.reachability.reachable();
		});
		assertThat(log.lines()).containsExactly(
				"WARN io.valkeyrie.store.internal.Reachability - The etcd store (namespace 'apps') cannot reach its servers "
						+ "(connection refused); retrying in the background",
				"INFO io.valkeyrie.store.internal.Reachability - The etcd store (namespace 'apps') reaches its servers again after 5.2s");
		assertThat(this.reachability.isReachable()).isTrue();
	}

	@Test
	void theOutageActionRunsOncePerOutageWhoeverNoticedIt() {
		AtomicLong runs = new AtomicLong();
		this.reachability.onLost(runs::incrementAndGet);
		this.reachability.callFailed(new StoreUnavailableException("etcd", "channel closed", null), this.reachability.now());
		this.reachability.unreachable("the watch feed broke");
		assertThat(runs).as("after a call and then the feed noticed one outage").hasValue(1);
		this.reachability.reachable();
		this.reachability.unreachable("the watch feed broke");
		assertThat(runs).as("after a second outage").hasValue(2);
	}

	@Test
	void aCallThatWaitedThroughTheLastOutageDoesNotStartANewOne() {
		this.reachability.unreachable("connection suspended");
		long started = this.reachability.now();
		this.now.addAndGet(1_000);
		this.reachability.reachable();
		this.reachability.callFailed(new StoreUnavailableException("etcd", "no answer within 2s", null), started);
		assertThat(this.reachability.isReachable()).isTrue();
		this.reachability.callFailed(new StoreUnavailableException("etcd", "no answer within 2s", null), this.reachability.now());
		assertThat(this.reachability.isReachable()).isFalse();
	}

	@Test
	void shortOutagesAreInMilliseconds() {
		assertThat(BackendOptions.format(Reachability.rounded(Duration.ofNanos(350_400_000)))).isEqualTo("350ms");
		assertThat(BackendOptions.format(Reachability.rounded(Duration.ofMillis(61_449)))).isEqualTo("1m1.4s");
	}

	/** slf4j-simple writes to the current {@code System.err}. */
	private static String captured(Runnable action) {
		PrintStream err = System.err;
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
		try {
			action.run();
		}
		finally {
			System.setErr(err);
		}
		return out.toString(StandardCharsets.UTF_8).lines().filter((line) -> line.contains("Reachability"))
			.map((line) -> line.substring(line.indexOf("] ") + 2))
			.reduce("", (a, b) -> a + b + "\n");
	}

}
