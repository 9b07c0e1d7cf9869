package io.valkeyrie.benchmarks.watch;

import java.nio.charset.StandardCharsets;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import io.valkeyrie.benchmarks.BenchServers;

/**
 * Redis keyspace notifications for the key (enabled here with {@code CONFIG SET}, adding
 * {@code K$} to whatever the server had), received on a Lettuce pub/sub connection, with
 * the key written by SET; the fair variant GETs the key on each notification (asynchronously,
 * on a connection of its own) and counts the arrival when the value is back.
 */
final class KeyspaceRawWatch extends RawWatch {

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	private final StatefulRedisPubSubConnection<String, String> pubSub;

	private final StatefulRedisConnection<String, String> reader;

	private final String root;

	private final String key;

	KeyspaceRawWatch(String root, String key, boolean fair) {
		RedisURI uri = RedisURI.create(BenchServers.endpoint("redis"));
		this.client = RedisClient.create(uri);
		this.connection = this.client.connect();
		this.reader = this.client.connect();
		this.root = root + ":";
		this.key = this.root + key;
		String flags = this.connection.sync().configGet("notify-keyspace-events").getOrDefault("notify-keyspace-events", "");
		StringBuilder wanted = new StringBuilder(flags);
		for (char flag : new char[] { 'K', '$' }) {
			if (flags.indexOf(flag) < 0 && !(flag == '$' && flags.indexOf('A') >= 0)) {
				wanted.append(flag);
			}
		}
		this.connection.sync().configSet("notify-keyspace-events", wanted.toString());
		this.pubSub = this.client.connectPubSub();
		this.pubSub.addListener(new RedisPubSubAdapter<>() {
			@Override
			public void message(String channel, String message) {
				if (fair) {
					KeyspaceRawWatch.this.reader.async().get(KeyspaceRawWatch.this.key).thenRun(KeyspaceRawWatch.this::arrived);
				}
				else {
					arrived();
				}
			}
		});
		this.pubSub.sync().subscribe("__keyspace@" + uri.getDatabase() + "__:" + this.key);
	}

	@Override
	void put(byte[] value) {
		this.connection.sync().set(this.key, new String(value, StandardCharsets.UTF_8));
	}

	@Override
	void load(int n, byte[] value) {
		this.connection.sync().set(this.root + loadKey(n), new String(value, StandardCharsets.UTF_8));
	}

	@Override
	public void close() {
		this.pubSub.close();
		this.reader.close();
		this.connection.close();
		this.client.shutdown();
	}

}
