package io.valkeyrie.store.redis;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.DefaultMessage;

/**
 * Sharded pub/sub ({@code SSUBSCRIBE}, Redis 7.0+) on a Redis Cluster: the store's channels all
 * carry the namespace's hash tag, so they are shard channels of its slot, served by the slot's
 * master alone (a plain {@code PUBLISH} is broadcast over the cluster bus to every node).
 * <p>
 * The subscription is made on a connection to that master, and follows the slot: the master it
 * uses is compared with the client's current topology every second, and when another node
 * serves the slot (a fail-over, a slot migration) the channels are subscribed there; the
 * feed hears of that confirmation as a re-subscription and resyncs. This is done here rather
 * than left to Lettuce, whose node connection keeps reconnecting to the node it was opened for.
 * A reconnect to the same master re-subscribes through Lettuce (its connection remembers shard
 * channels), which the feed also hears of.
 */
final class RedisShardedSubscription extends RedisPubSubAdapter<byte[], byte[]> implements RedisSubscription {

	private static final Logger logger = LoggerFactory.getLogger(RedisShardedSubscription.class);

	private static final long FOLLOW_MILLIS = 1000;

	private final RedisClusterClient client;

	private final RedisChangeFeed feed;

	private final int slot;

	private final StatefulRedisClusterPubSubConnection<byte[], byte[]> connection;

	private final List<byte[]> channels = new CopyOnWriteArrayList<>();

	private final ScheduledFuture<?> following;

	/** The master subscribed on, guarded by {@code this}. */
	private @Nullable String nodeId;

	private @Nullable StatefulRedisPubSubConnection<byte[], byte[]> node;

	private volatile boolean closed;

	/**
	 * @param slotChannel a channel of the store; every other one must be in its slot
	 */
	RedisShardedSubscription(RedisClusterClient client, byte[] slotChannel, RedisChangeFeed feed, ScheduledExecutorService io) {
		this.client = client;
		this.feed = feed;
		this.slot = SlotHash.getSlot(slotChannel);
		this.connection = client.connectPubSub(ByteArrayCodec.INSTANCE);
		this.following = io.scheduleWithFixedDelay(this::follow, FOLLOW_MILLIS, FOLLOW_MILLIS, TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void subscribe(byte[] channel) {
		if (this.channels.stream().noneMatch((known) -> Arrays.equals(known, channel))) {
			this.channels.add(channel);
		}
		StatefulRedisPubSubConnection<byte[], byte[]> subscribed = this.node;
		if (subscribed == null) {
			subscribed = attach(master());
		}
		subscribed.sync().ssubscribe(channel);
	}

	/** Subscribe on the slot's master if that is another node than the one subscribed on. */
	private synchronized void follow() {
		if (this.closed || this.channels.isEmpty()) {
			return;
		}
		try {
			RedisClusterNode master = master();
			if (master.getNodeId().equals(this.nodeId)) {
				return;
			}
			logger.debug("Slot {} is served by {} now: subscribing its shard channels there", this.slot, master.getUri());
			StatefulRedisPubSubConnection<byte[], byte[]> previous = this.node;
			if (previous != null) {
				this.node = null;
				this.nodeId = null;
				// The client keeps that connection and may hand it out again: it only stops telling us.
				previous.removeListener(this);
				previous.async().sunsubscribe(this.channels.toArray(new byte[0][]));
			}
			// Confirmed through ssubscribed(): the feed resyncs its watches then.
			attach(master).async().ssubscribe(this.channels.toArray(new byte[0][]));
		}
		catch (RuntimeException ex) {
			// The new master cannot be reached yet: the next round tries again.
			logger.debug("Following slot {} to its new master failed; retrying", this.slot, ex);
		}
	}

	private StatefulRedisPubSubConnection<byte[], byte[]> attach(RedisClusterNode master) {
		StatefulRedisPubSubConnection<byte[], byte[]> connection = this.connection.getConnection(master.getNodeId());
		connection.addListener(this);
		this.node = connection;
		this.nodeId = master.getNodeId();
		return connection;
	}

	private RedisClusterNode master() {
		RedisClusterNode master = this.client.getPartitions().getMasterBySlot(this.slot);
		if (master == null) {
			throw new RedisException("no Redis Cluster node serves slot " + this.slot + " (the namespace's)");
		}
		return master;
	}

	@Override
	public void ssubscribed(byte[] channel, long count) {
		this.feed.onChannelSubscribed(channel, count);
	}

	@Override
	public void smessage(byte[] channel, byte[] message) {
		this.feed.onMessage(new DefaultMessage(channel, message), null);
	}

	@Override
	public void close() {
		this.closed = true;
		this.following.cancel(false);
		this.connection.close();
	}

}
