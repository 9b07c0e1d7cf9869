package io.valkeyrie.store.redis;

import org.springframework.data.redis.connection.RedisConnection;

/**
 * The pub/sub subscription of a store's change feed: plain {@code SUBSCRIBE} through Spring
 * Data ({@link #classic}), or sharded pub/sub on a Redis Cluster ({@link RedisShardedSubscription}).
 * Either tells the feed of each confirmation (a later one for a channel means it was
 * re-subscribed after a gap) and of each message.
 */
interface RedisSubscription extends AutoCloseable {

	/**
	 * Subscribe one more channel; the server's confirmation reaches the feed's listener.
	 * @throws RuntimeException if Redis cannot be reached
	 */
	void subscribe(byte[] channel);

	@Override
	void close();

	/** Plain pub/sub on a connection of the factory, which Lettuce re-subscribes after a reconnect. */
	static RedisSubscription classic(RedisConnection connection, RedisChangeFeed feed) {
		return new RedisSubscription() {

			@Override
			public synchronized void subscribe(byte[] channel) {
				if (connection.isSubscribed()) {
					connection.getSubscription().subscribe(channel);
				}
				else {
					connection.subscribe(feed, channel);
				}
			}

			@Override
			public void close() {
				connection.close();
			}

		};
	}

}
