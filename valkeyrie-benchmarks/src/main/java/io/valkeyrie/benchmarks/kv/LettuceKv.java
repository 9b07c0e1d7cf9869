package io.valkeyrie.benchmarks.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

import io.valkeyrie.benchmarks.BenchServers;

/**
 * Raw Lettuce on one shared connection (as Spring Data Redis shares its native
 * connection): GET, SET, and, because Redis has neither versions nor directories, the
 * smallest Lua scripts that give them: a compare-and-swap on a version field, and a
 * sorted-set index read by ZRANGE BYLEX with the values fetched in the same script.
 */
final class LettuceKv implements Kv {

	private static final String CAS = """
			local current = redis.call('HGET', KEYS[1], 'i')
			if current ~= ARGV[1] then return -1 end
			local index = redis.call('INCR', KEYS[2])
			redis.call('HSET', KEYS[1], 'v', ARGV[2], 'i', index)
			return index
			""";

	private static final String LIST = """
			local keys = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'BYLEX')
			local out = {}
			for i, key in ipairs(keys) do
				out[2 * i - 1] = key
				out[2 * i] = redis.call('GET', ARGV[3] .. key)
			end
			return out
			""";

	private final RedisClient client;

	private final StatefulRedisConnection<byte[], byte[]> connection;

	private final RedisCommands<byte[], byte[]> redis;

	private final String prefix;

	private final byte[] index;

	private final byte[] counter;

	private final String casSha;

	private final String listSha;

	LettuceKv(String namespace) {
		this.client = RedisClient.create(RedisURI.create(BenchServers.endpoint("redis")));
		this.connection = this.client.connect(ByteArrayCodec.INSTANCE);
		this.redis = this.connection.sync();
		this.prefix = namespace + ":";
		this.index = bytes(this.prefix + "#index");
		this.counter = bytes(this.prefix + "#counter");
		this.casSha = this.redis.scriptLoad(CAS);
		this.listSha = this.redis.scriptLoad(LIST);
	}

	private byte[] key(String key) {
		return bytes(this.prefix + key);
	}

	@Override
	public Object get(String key) {
		return this.redis.get(key(key));
	}

	@Override
	public void put(String key, byte[] value) {
		this.redis.set(key(key), value);
	}

	@Override
	public Object create(String key, byte[] value) {
		// Seeding also indexes the key, so list finds it.
		this.redis.set(key(key), value);
		this.redis.zadd(this.index, 0, bytes(key));
		long version = this.redis.incr(this.counter);
		this.redis.hset(key("#cas:" + key), java.util.Map.of(bytes("v"), value, bytes("i"), bytes(Long.toString(version))));
		return version;
	}

	@Override
	public Object atomicPut(String key, byte[] value, Object previous) {
		long index = this.redis.evalsha(this.casSha, ScriptOutputType.INTEGER,
				new byte[][] { key("#cas:" + key), this.counter }, bytes(previous.toString()), value);
		if (index < 0) {
			throw new IllegalStateException("CAS failed on " + key);
		}
		return index;
	}

	@Override
	public int list(String dir) {
		List<Object> answer = this.redis.evalsha(this.listSha, ScriptOutputType.MULTI, new byte[][] { this.index },
				bytes("[" + dir + "/"), bytes("(" + dir + "0"), bytes(this.prefix));
		List<Map.Entry<String, byte[]>> pairs = new ArrayList<>(answer.size() / 2);
		for (int i = 0; i < answer.size(); i += 2) {
			pairs.add(Map.entry(new String((byte[]) answer.get(i), StandardCharsets.UTF_8), (byte[]) answer.get(i + 1)));
		}
		return pairs.size();
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
