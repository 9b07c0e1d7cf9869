package io.valkeyrie.boot.autoconfigure;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.test.ServerProcess;
import io.valkeyrie.store.test.TestClusters;
import io.valkeyrie.store.test.TestServers;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store connects through what the application already has, first match wins: a
 * {@code ValkeyrieConnectionDetails} bean, the backend's client bean, the backend's own
 * Spring properties, then {@code valkeyrie.*}. The {@code valkeyrie.*} endpoints in these
 * tests point at a port nothing listens on, so a store that ignored the reused source
 * could not work. A shared client survives the store's close. Real servers throughout.
 */
class ClientReuseTests {

	private static final String NOWHERE = "127.0.0.1:" + ServerProcess.freePort();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValkeyrieAutoConfiguration.class))
		.withPropertyValues("valkeyrie.namespace=client-reuse-" + UUID.randomUUID(), "valkeyrie.connect-timeout=3s");

	@Test
	void curatorFrameworkBeanIsSharedAndOutlivesTheStore() {
		CuratorFramework curator = CuratorFrameworkFactory.newClient(TestServers.endpoint("zookeeper"),
				new RetryOneTime(100));
		curator.start();
		try {
			this.contextRunner.withBean(CuratorFramework.class, () -> curator, (definition) -> definition.setDestroyMethodName(""))
				.withPropertyValues("valkeyrie.backend=zookeeper", "valkeyrie.zookeeper.endpoints=" + NOWHERE)
				.run((context) -> {
					worksAndClosesWithoutClosingItsClient(context);
					assertThat(curator.getState()).isEqualTo(CuratorFrameworkState.STARTED);
					assertThat(curator.checkExists().forPath("/")).isNotNull();
				});
		}
		finally {
			curator.close();
		}
	}

	@Test
	void etcdClientBeanIsSharedAndOutlivesTheStore() {
		try (Client client = Client.builder().endpoints(TestServers.endpoint("etcd")).build()) {
			this.contextRunner.withBean(Client.class, () -> client, (definition) -> definition.setDestroyMethodName(""))
				.withPropertyValues("valkeyrie.backend=etcd", "valkeyrie.etcd.endpoints=http://" + NOWHERE)
				.run((context) -> {
					worksAndClosesWithoutClosingItsClient(context);
					assertThat(client.getKVClient().get(ByteSequence.from("any", StandardCharsets.UTF_8)).get().getCount())
						.isNotNegative();
				});
		}
	}

	@Test
	void applicationsOwnRedisConnectionFactoryIsSharedAndOutlivesTheStore() {
		URI redis = URI.create(TestServers.endpoint("redis"));
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.getHost(), redis.getPort()));
		factory.afterPropertiesSet();
		factory.start();
		try {
			this.contextRunner
				.withBean(RedisConnectionFactory.class, () -> factory, (definition) -> definition.setDestroyMethodName(""))
				.withPropertyValues("valkeyrie.backend=redis")
				.run((context) -> {
					worksAndClosesWithoutClosingItsClient(context);
					try (var connection = factory.getConnection()) {
						assertThat(connection.ping()).isEqualTo("PONG");
					}
				});
		}
		finally {
			factory.destroy();
		}
	}

	@Test
	void connectionDetailsBeanComesBeforeAClientBean() {
		CuratorFramework elsewhere = CuratorFrameworkFactory.newClient(NOWHERE, new RetryOneTime(100));
		try {
			this.contextRunner.withBean(CuratorFramework.class, () -> elsewhere, (definition) -> definition.setDestroyMethodName(""))
				.withBean(ValkeyrieConnectionDetails.class,
						() -> ValkeyrieConnectionDetails.of("zookeeper", List.of(TestServers.endpoint("zookeeper"))))
				.run(ClientReuseTests::worksAndClosesWithoutClosingItsClient);
		}
		finally {
			elsewhere.close();
		}
	}

	@Test
	void springDataRedisSentinelIsUsed() {
		URI sentinel = URI.create(TestServers.endpoint("redis-sentinel"));
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("valkeyrie.backend=redis", "spring.data.redis.sentinel.master=valkeyrie",
					"spring.data.redis.sentinel.nodes=" + sentinel.getHost() + ":" + sentinel.getPort())
			.run(ClientReuseTests::worksAndClosesWithoutClosingItsClient);
	}

	/** One seed node, and a replica at that: only a Redis Cluster client can write through it. */
	@Test
	void springDataRedisClusterNodesAreUsed() {
		String replica = aReplicaOfTheTestCluster();
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("valkeyrie.backend=redis", "spring.data.redis.cluster.nodes=" + replica)
			.run(ClientReuseTests::worksAndClosesWithoutClosingItsClient);
	}

	@Test
	void valkeyrieRedisClusterEndpointsBecomeSpringBootsClusterConfiguration() {
		List<String> endpoints = TestClusters.endpoints("redis");
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(ValkeyrieDataRedisAutoConfiguration.class, DataRedisAutoConfiguration.class))
			.withPropertyValues("valkeyrie.backend=redis", "valkeyrie.redis.endpoints=" + String.join(",", endpoints))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataRedisConnectionDetails details = context.getBean(DataRedisConnectionDetails.class);
				assertThat(details.getStandalone()).isNull();
				assertThat(details.getCluster().getNodes()).hasSize(endpoints.size());
				LettuceConnectionFactory factory = (LettuceConnectionFactory) context.getBean(RedisConnectionFactory.class);
				assertThat(factory.isClusterAware()).isTrue();
				try (var connection = factory.getClusterConnection()) {
					assertThat(connection.clusterGetNodes()).hasSize(endpoints.size());
				}
				worksAndClosesWithoutClosingItsClient(context);
			});
	}

	@Test
	void springDataRedisMasterReplicaIsRefusedWithAClearMessage() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("valkeyrie.backend=redis", "spring.data.redis.masterreplica.nodes=" + NOWHERE)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("does not support a static master/replica setup");
				StoreStartupException failure = ValkeyrieAutoConfigurationTests.rootCause(context.getStartupFailure(),
						StoreStartupException.class);
				assertThat(failure.getKind()).isEqualTo(StoreStartupException.Kind.CONFIGURATION);
				assertThat(failure.getSettings()).isEqualTo("spring.data.redis");
			});
	}

	private static String aReplicaOfTheTestCluster() {
		RedisClusterClient client = RedisClusterClient.create(TestClusters.endpoints("redis").stream().map(RedisURI::create).toList());
		try {
			RedisClusterNode replica = client.getPartitions()
				.stream()
				.filter((node) -> node.is(RedisClusterNode.NodeFlag.REPLICA) && !node.is(RedisClusterNode.NodeFlag.FAIL))
				.findFirst()
				.orElseThrow();
			return replica.getUri().getHost() + ":" + replica.getUri().getPort();
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void springCloudConsulHostAndPortAreUsed() {
		URI consul = URI.create(TestServers.endpoint("consul"));
		this.contextRunner
			.withPropertyValues("valkeyrie.backend=consul", "valkeyrie.consul.endpoints=http://" + NOWHERE,
					"spring.cloud.consul.host=" + consul.getHost(), "spring.cloud.consul.port=" + consul.getPort())
			.run(ClientReuseTests::worksAndClosesWithoutClosingItsClient);
	}

	@Test
	void springCloudZookeeperConnectStringIsUsed() {
		this.contextRunner
			.withPropertyValues("valkeyrie.backend=zookeeper", "valkeyrie.zookeeper.endpoints=" + NOWHERE,
					"spring.cloud.zookeeper.connect-string=" + TestServers.endpoint("zookeeper"))
			.run(ClientReuseTests::worksAndClosesWithoutClosingItsClient);
	}

	@Test
	void valkeyrieRedisEndpointsBecomeSpringBootsSoItsHealthIndicatorProbesTheSameServer() {
		String endpoint = TestServers.endpoint("redis");
		URI redis = URI.create(endpoint);
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(ValkeyrieDataRedisAutoConfiguration.class,
					DataRedisAutoConfiguration.class, DataRedisHealthContributorAutoConfiguration.class))
			.withPropertyValues("valkeyrie.backend=redis", "valkeyrie.redis.endpoints=" + endpoint)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataRedisConnectionDetails details = context.getBean(DataRedisConnectionDetails.class);
				assertThat(details.getStandalone().getHost()).isEqualTo(redis.getHost());
				assertThat(details.getStandalone().getPort()).isEqualTo(redis.getPort());
				assertThat(((HealthIndicator) context.getBean("redisHealthContributor")).health(false).getStatus())
					.isEqualTo(Status.UP);
				worksAndClosesWithoutClosingItsClient(context);
			});
	}

	@Test
	void springDataRedisPropertiesWinOverValkeyriesForBoot() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(ValkeyrieDataRedisAutoConfiguration.class,
					DataRedisAutoConfiguration.class))
			.withPropertyValues("valkeyrie.backend=redis", "valkeyrie.redis.endpoints=redis://" + NOWHERE,
					"spring.data.redis.url=" + TestServers.endpoint("redis"))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ValkeyrieDataRedisConnectionDetails.class);
				worksAndClosesWithoutClosingItsClient(context);
			});
	}

	private static void worksAndClosesWithoutClosingItsClient(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		Store store = context.getBean(Store.class);
		store.put("reused", "yes");
		assertThat(store.get("reused").valueAsString()).isEqualTo("yes");
		store.delete("reused");
		store.close();
	}

}
