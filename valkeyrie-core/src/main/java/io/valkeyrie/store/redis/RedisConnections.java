package io.valkeyrie.store.redis;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.event.EventBus;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreConfigurationException;
import io.valkeyrie.store.TlsConfig;
import io.valkeyrie.store.internal.Reachability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * The connection factory of a store: either one the application gave (never closed here),
 * or a {@link LettuceConnectionFactory} built from the store's configuration, with its own
 * client resources, and closed with the store.
 */
final class RedisConnections implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisConnections.class);

	private final RedisConnectionFactory factory;

	private final @Nullable LettuceConnectionFactory owned;

	private final @Nullable ClientResources resources;

	private volatile @Nullable Disposable reports;

	private RedisConnections(RedisConnectionFactory factory, @Nullable LettuceConnectionFactory owned,
			@Nullable ClientResources resources) {
		this.factory = factory;
		this.owned = owned;
		this.resources = resources;
	}

	static RedisConnections given(RedisConnectionFactory factory) {
		return new RedisConnections(factory, null, null);
	}

	static RedisConnections create(StoreConfig config, RedisOptions options) {
		return create(config, options, (builder) -> {
		});
	}

	/**
	 * @param resources a change to the client resources: tests use it to reach a node of a Redis
	 * Cluster through a proxy (the cluster tells the client the nodes' own addresses)
	 */
	static RedisConnections create(StoreConfig config, RedisOptions options, Consumer<DefaultClientResources.Builder> resources) {
		RedisConfiguration server = serverConfiguration(config, options);
		boolean tls = config.tls() != null || config.endpoints().stream().anyMatch((e) -> e.startsWith("rediss://"));
		// Reconnect within a second once the server is back, instead of Lettuce's default back-off up to 30 s.
		DefaultClientResources.Builder builder = DefaultClientResources.builder()
			.ioThreadPoolSize(2)
			.computationThreadPoolSize(2)
			.reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
		resources.accept(builder);
		ClientResources clientResources = builder.build();
		boolean cluster = server instanceof RedisClusterConfiguration;
		ClientOptions.Builder clientOptions = cluster ? clusterOptions() : ClientOptions.builder();
		clientOptions.socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true).build())
			.timeoutOptions(TimeoutOptions.enabled(config.requestTimeout()));
		LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
			.clientResources(clientResources)
			.clientName(options.clientName())
			.commandTimeout(config.requestTimeout())
			.shutdownTimeout(Duration.ofSeconds(1))
			.shutdownQuietPeriod(Duration.ZERO);
		if (tls) {
			TlsConfig settings = config.tls();
			LettuceClientConfiguration.LettuceSslClientConfigurationBuilder ssl = client.useSsl();
			if (settings != null) {
				ssl.verifyPeer(settings.verifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA);
				SslOptions.Builder sslOptions = SslOptions.builder().jdkSslProvider();
				if (settings.trustManagers() != null) {
					sslOptions.trustManager(settings.trustManagers());
				}
				if (settings.keyManagers() != null) {
					sslOptions.keyManager(settings.keyManagers());
				}
				clientOptions.sslOptions(sslOptions.build());
			}
			client = ssl.and();
		}
		client.clientOptions(clientOptions.build());
		if (config.hasPassword()) {
			client.redisCredentialsProviderFactory(new StoreCredentials(config));
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(server, client.build());
		try {
			factory.afterPropertiesSet();
			factory.start();
		}
		catch (RuntimeException ex) {
			factory.destroy();
			clientResources.shutdown(0, 1, TimeUnit.SECONDS);
			throw ex;
		}
		return new RedisConnections(factory, factory, clientResources);
	}

	/**
	 * Redis Cluster: learn a new topology as soon as a command is redirected, a node keeps
	 * failing to reconnect or a slot is uncovered (a fail-over), and every few seconds besides.
	 */
	private static ClusterClientOptions.Builder clusterOptions() {
		ClusterTopologyRefreshOptions refresh = ClusterTopologyRefreshOptions.builder()
			.enableAllAdaptiveRefreshTriggers()
			.adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
			.refreshTriggersReconnectAttempts(2)
			.enablePeriodicRefresh(Duration.ofSeconds(5))
			.build();
		return ClusterClientOptions.builder().topologyRefreshOptions(refresh);
	}

	/** The event bus of a Redis Cluster client (it tells of topology changes), or null for one server or Sentinel. */
	@Nullable EventBus clusterEvents() {
		if (this.factory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware()) {
			return lettuce.getRequiredNativeClient().getResources().eventBus();
		}
		return null;
	}

	/** The client of a Redis Cluster (for sharded pub/sub), or null for one server or Sentinel. */
	@Nullable RedisClusterClient clusterClient() {
		if (this.factory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware()
				&& lettuce.getRequiredNativeClient() instanceof RedisClusterClient client) {
			return client;
		}
		return null;
	}

	RedisConnectionFactory factory() {
		return this.factory;
	}

	/**
	 * Report Lettuce's failed reconnects and re-activated connections to {@code reachability}
	 * until closed: with the store's own client, or a shared Lettuce factory configured with
	 * its client resources (else only the store's calls report).
	 */
	void reportTo(Reachability reachability) {
		ClientResources events = this.resources;
		if (events == null && this.factory instanceof LettuceConnectionFactory lettuce) {
			events = lettuce.getClientConfiguration().getClientResources().orElse(null);
		}
		if (events != null) {
			this.reports = events.eventBus().get().subscribe((event) -> {
				if (event instanceof ReconnectFailedEvent failed) {
					reachability.unreachable("reconnecting failed: " + failed.getCause().getMessage());
				}
				else if (event instanceof ConnectionActivatedEvent) {
					reachability.reachable();
				}
			});
		}
	}

	@Override
	public void close() {
		Disposable reporting = this.reports;
		if (reporting != null) {
			reporting.dispose();
		}
		if (this.owned != null) {
			try {
				this.owned.destroy();
			}
			catch (RuntimeException ex) {
				// The connections are going away either way.
				logger.debug("Closing the redis connection factory failed", ex);
			}
		}
		if (this.resources != null) {
			this.resources.shutdown(0, 1, TimeUnit.SECONDS);
		}
	}

	private static RedisConfiguration serverConfiguration(StoreConfig config, RedisOptions options) {
		List<String> endpoints = config.endpoints();
		if (endpoints.isEmpty()) {
			throw new StoreConfigurationException("The redis store needs an endpoint (redis://host:port, rediss://host:port or host:port)");
		}
		String master = options.sentinelMaster();
		if (master == null && endpoints.size() == 1 && endpoints.get(0).startsWith("redis-sentinel://")) {
			// redis-sentinel://host:port[,host:port...][/database]#master, as Lettuce and Spring Boot take it.
			RedisURI uri = uri(endpoints.get(0));
			if (uri.getSentinelMasterId() == null) {
				throw new StoreConfigurationException("A redis-sentinel:// endpoint must name the master after '#', "
						+ "or use option '" + RedisOptions.SENTINEL_MASTER + "'");
			}
			master = uri.getSentinelMasterId();
			endpoints = uri.getSentinels().stream().map((node) -> node.getHost() + ":" + node.getPort()).toList();
		}
		if (master != null) {
			Set<String> nodes = new LinkedHashSet<>();
			Integer database = options.database();
			for (String endpoint : endpoints) {
				RedisURI uri = uri(endpoint.startsWith("redis-sentinel://") ? endpoint.replace("redis-sentinel://", "redis://") : endpoint);
				nodes.add(uri.getHost() + ":" + uri.getPort());
			}
			RedisSentinelConfiguration sentinel = new RedisSentinelConfiguration(master, nodes);
			sentinel.setDatabase((database != null) ? database : 0);
			// The data nodes' password comes from StoreCredentials.
			sentinel.setUsername(config.username());
			return sentinel;
		}
		if (endpoints.size() > 1 || options.cluster()) {
			return clusterConfiguration(config, options, endpoints);
		}
		RedisURI uri = uri(endpoints.get(0));
		RedisStandaloneConfiguration standalone = new RedisStandaloneConfiguration(uri.getHost(), uri.getPort());
		Integer database = options.database();
		standalone.setDatabase((database != null) ? database : uri.getDatabase());
		standalone.setUsername((config.username() != null) ? config.username() : uri.getUsername());
		if (!config.hasPassword()) {
			// The configuration's own password comes from StoreCredentials, asked for on every connect.
			standalone.setPassword(RedisPassword.of(uri.getPassword()));
		}
		return standalone;
	}

	/** Several endpoints and no Sentinel master: nodes of a Redis Cluster (any of them; the rest is discovered). */
	private static RedisClusterConfiguration clusterConfiguration(StoreConfig config, RedisOptions options, List<String> endpoints) {
		Integer database = options.database();
		if (database != null && database != 0) {
			throw new StoreConfigurationException("Redis Cluster has only database 0, but option '" + RedisOptions.DATABASE
					+ "' is " + database + " (several endpoints without option '" + RedisOptions.SENTINEL_MASTER
					+ "' are nodes of a Redis Cluster)");
		}
		Set<String> nodes = new LinkedHashSet<>();
		RedisURI first = null;
		for (String endpoint : endpoints) {
			RedisURI uri = uri(endpoint);
			if (uri.getDatabase() != 0) {
				throw new StoreConfigurationException("Redis Cluster has only database 0, but an endpoint names database "
						+ uri.getDatabase() + " (several endpoints without option '" + RedisOptions.SENTINEL_MASTER
						+ "' are nodes of a Redis Cluster)");
			}
			first = (first != null) ? first : uri;
			nodes.add(uri.getHost() + ":" + uri.getPort());
		}
		RedisClusterConfiguration cluster = new RedisClusterConfiguration(nodes);
		cluster.setUsername((config.username() != null) ? config.username() : first.getUsername());
		if (!config.hasPassword()) {
			cluster.setPassword(RedisPassword.of(first.getPassword()));
		}
		return cluster;
	}

	private static RedisURI uri(String endpoint) {
		try {
			return RedisURI.create(endpoint.contains("://") ? endpoint : "redis://" + endpoint);
		}
		catch (RuntimeException ex) {
			// Never echo the endpoint: it may carry a password.
			throw new StoreConfigurationException("Invalid redis endpoint: expected redis://[user:password@]host:port[/database], "
					+ "rediss://..., host:port, or redis-sentinel://host:port[,host:port...]#master ("
					+ ex.getClass().getSimpleName() + ")");
		}
	}

}
