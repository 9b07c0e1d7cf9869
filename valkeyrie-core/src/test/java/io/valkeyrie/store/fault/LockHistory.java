package io.valkeyrie.store.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The acquisitions of every client, read back from the {@link LockClient} logs. Times are
 * {@code System.nanoTime()} values, which all JVMs of one Linux machine read from the same
 * monotonic clock ({@code CLOCK_MONOTONIC}), so they order events across the clients and the test.
 */
final class LockHistory {

	/** One fenced write attempt. */
	record Write(String outcome, long start, long end, boolean told, boolean wake) {

		boolean accepted() {
			return this.outcome.equals("ACCEPTED");
		}

	}

	/** One acquisition: from ACQUIRED to the end of its client's belief that it holds the lock. */
	static final class Acquisition {

		final String client;

		final long token;

		final long acquired;

		final List<Write> writes = new ArrayList<>();

		Long lost;

		String lostReason;

		Long unlocking;

		String unlocked;

		/** When the test froze or killed the client during this acquisition. */
		Long signalled;

		Acquisition(String client, long token, long acquired) {
			this.client = client;
			this.token = token;
			this.acquired = acquired;
		}

		/** The end of the time the client ran believing it held the lock. */
		long end() {
			return java.util.stream.Stream.of(this.lost, this.unlocking, this.signalled)
				.filter(Objects::nonNull)
				.min(Long::compare)
				.orElseThrow(() -> new AssertionError("acquisition " + this + " never ended"));
		}

		@Override
		public String toString() {
			return this.client + "#" + this.token + "[" + this.acquired + ".." + this.unlocking + ", lost=" + this.lost
					+ " " + this.lostReason + ", signalled=" + this.signalled + ", " + this.unlocked + ", writes="
					+ this.writes + "]";
		}

	}

	private final Map<String, List<Acquisition>> byClient = new LinkedHashMap<>();

	private final Map<String, List<String>> lines = new LinkedHashMap<>();

	void read(ClientProcess client) throws IOException {
		List<Acquisition> acquisitions = new ArrayList<>();
		List<String> log = Files.readAllLines(client.log(), StandardCharsets.UTF_8);
		this.lines.put(client.name(), log);
		for (String line : log) {
			String[] f = line.split(" ");
			long token = Long.parseLong(f[1]);
			long time = Long.parseLong(f[2]);
			String event = f[0];
			if (event.equals("ACQUIRED")) {
				acquisitions.add(new Acquisition(client.name(), token, time));
				continue;
			}
			if (event.equals("STARTED") || event.equals("DONE") || event.equals("UNAVAILABLE") || event.equals("PARKED")) {
				continue;
			}
			Acquisition current = acquisitions.stream().filter((a) -> a.token == token).reduce((a, b) -> b)
				.orElseThrow(() -> new AssertionError(client.name() + " logged " + line + " outside an acquisition"));
			switch (event) {
				case "LOST" -> {
					current.lost = time;
					current.lostReason = f[4];
				}
				case "UNLOCKING" -> current.unlocking = time;
				case "RELEASED", "NOT_HELD" -> current.unlocked = event;
				default -> {
					boolean wake = event.startsWith("WAKE-");
					current.writes.add(new Write(wake ? event.substring(5) : event, Long.parseLong(f[4].substring(6)), time,
							f[5].equals("told=true"), wake));
				}
			}
		}
		this.byClient.put(client.name(), acquisitions);
	}

	List<Acquisition> of(String client) {
		return this.byClient.get(client);
	}

	/** Every acquisition of every client, in the order they were acquired. */
	List<Acquisition> all() {
		return this.byClient.values().stream().flatMap(List::stream)
			.sorted(Comparator.comparingLong((Acquisition a) -> a.acquired)).toList();
	}

	long accepted() {
		return all().stream().flatMap((a) -> a.writes.stream()).filter(Write::accepted).count();
	}

	/** The logs, for failure messages. */
	String dump() {
		StringBuilder text = new StringBuilder();
		this.lines.forEach((client, log) -> {
			text.append("--- ").append(client).append('\n');
			log.forEach((line) -> text.append(line).append('\n'));
		});
		return text.toString();
	}

}
