package io.valkeyrie.store.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

/**
 * A plain client of a test Redis (or Valkey) that tells what the server is and which commands
 * it has run: how a version test proves what the store made the server do.
 */
final class RedisServerStats implements AutoCloseable {

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	RedisServerStats(String endpoint) {
		this.client = RedisClient.create(endpoint);
		this.connection = this.client.connect();
	}

	RedisCommands<String, String> commands() {
		return this.connection.sync();
	}

	/** A field of {@code INFO <section>}, e.g. {@code redis_version} of {@code server}, or null. */
	String info(String section, String field) {
		for (String line : commands().info(section).split("\r?\n")) {
			if (line.startsWith(field + ":")) {
				return line.substring(field.length() + 1);
			}
		}
		return null;
	}

	/** How often the server has run a command (lower case, e.g. {@code evalsha}) since it started. */
	long calls(String command) {
		String stats = info("commandstats", "cmdstat_" + command);
		if (stats == null) {
			return 0;
		}
		// calls=12,usec=...
		String calls = stats.substring(stats.indexOf("calls=") + 6);
		return Long.parseLong(calls.substring(0, calls.indexOf(',')));
	}

	/** {@code ACL SETUSER user rule...} as written in an ACL file, whatever the server's version. */
	void aclSetuser(String user, String rules) {
		CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user);
		for (String rule : rules.trim().split("\\s+")) {
			args.add(rule);
		}
		commands().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
