package io.valkeyrie.boot.autoconfigure;

import java.util.Arrays;
import java.util.List;

import io.etcd.jetcd.Client;
import io.valkeyrie.boot.autoconfigure.ValkeyrieStoreFactory.StoreOpener;
import io.valkeyrie.boot.autoconfigure.config.ValkeyrieConfigPropertySource;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.StoreConfig;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.Stores;
import io.valkeyrie.store.etcd.EtcdStore;
import io.valkeyrie.store.internal.ConnectBackoff;
import io.valkeyrie.store.internal.DeferredStore;
import io.valkeyrie.store.redis.RedisStore;
import io.valkeyrie.store.zookeeper.ZookeeperStore;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of a valkeyrie {@link Store} for the
 * backend {@code valkeyrie.backend} names, closed with the context.
 * <p>
 * Where the store connects, first match wins: a {@link ValkeyrieConnectionDetails} bean of
 * the application; the backend's client bean ({@code CuratorFramework}, jetcd
 * {@code Client}, {@code RedisConnectionFactory}), shared and never closed by the store;
 * the backend's own Spring properties when set ({@code spring.data.redis.*},
 * {@code spring.cloud.consul.host/port/scheme/token},
 * {@code spring.cloud.zookeeper.connect-string}); then {@code valkeyrie.<backend>.*}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(Store.class)
@ConditionalOnBooleanProperty(name = "valkeyrie.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ValkeyrieProperties.class)
@Import({ ValkeyrieAutoConfiguration.EtcdClientConfiguration.class,
		ValkeyrieAutoConfiguration.CuratorConfiguration.class,
		ValkeyrieAutoConfiguration.RedisConnectionFactoryConfiguration.class,
		ValkeyrieAutoConfiguration.DataRedisConfiguration.class })
public final class ValkeyrieAutoConfiguration {

	/** Openers on the application's own client beans come before those built from properties. */
	private static final int CLIENT_BEAN_ORDER = 0;

	private static final int PROPERTIES_ORDER = 10;

	private static final Logger logger = LoggerFactory.getLogger(ValkeyrieAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean(ValkeyrieConnectionDetails.class)
	PropertiesValkeyrieConnectionDetails valkeyrieConnectionDetails(ValkeyrieProperties properties,
			ObjectProvider<SslBundles> sslBundles, Environment environment) {
		return new PropertiesValkeyrieConnectionDetails(properties, sslBundles.getIfAvailable(), environment);
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	Store valkeyrieStore(ValkeyrieProperties properties, ValkeyrieConnectionDetails connectionDetails,
			ObjectProvider<ValkeyrieStoreCustomizer> customizers, ObjectProvider<StoreOpener> openers,
			ConfigurableEnvironment environment) {
		ValkeyrieStoreFactory factory = new ValkeyrieStoreFactory(properties, connectionDetails,
				customizers.orderedStream().toList());
		StoreConfig config = factory.config();
		// The application's own connection details come first: no client bean overrides them.
		StoreOpener opener = (connectionDetails instanceof PropertiesValkeyrieConnectionDetails)
				? openers.orderedStream().filter((candidate) -> candidate.appliesTo(config)).findFirst().orElse(null)
				: null;
		StoreOpener chosen = (opener != null) ? opener : Stores::open;
		ValkeyrieProperties.ConnectRetry retry = properties.getConnectRetry();
		// Checked whether or not it is needed now: a wrong setting must not wait for an outage to show.
		ConnectBackoff backoff = ValkeyrieStoreFactory.backoff(retry.getInitialInterval(), retry.getMaxInterval());
		Store store;
		try {
			store = factory.open(config, chosen);
		}
		catch (StoreStartupException ex) {
			if (failFast(properties, environment) || ex.getKind() != StoreStartupException.Kind.UNREACHABLE
					|| !(ex.getCause() instanceof StoreException cause)) {
				throw ex;
			}
			// Only an outage: a refused configuration or credentials still fail startup.
			return DeferredStore.connectInBackground(config, chosen::open, backoff, cause);
		}
		String source = (opener != null) ? opener.settings(config) : null;
		logger.info("valkeyrie store open: backend {}, endpoints {}, namespace '{}'{}", store.backend(),
				Endpoints.withoutCredentials(store.endpoints()), store.namespace(),
				(source != null) ? " (from " + source + ")" : "");
		return store;
	}

	/**
	 * {@code valkeyrie.fail-fast}; unset, startup fails unless the application imports its
	 * configuration with {@code optional:valkeyrie:}, which says it can start without the store.
	 */
	private static boolean failFast(ValkeyrieProperties properties, ConfigurableEnvironment environment) {
		if (properties.getFailFast() != null) {
			return properties.getFailFast();
		}
		ValkeyrieConfigPropertySource imported = ValkeyrieConfigPropertySource.find(environment);
		return imported == null || !imported.isOptionalImport();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "io.etcd.jetcd.Client", "io.valkeyrie.store.etcd.EtcdStore" })
	@ConditionalOnBean(type = "io.etcd.jetcd.Client")
	static class EtcdClientConfiguration {

		@Bean
		@Order(CLIENT_BEAN_ORDER)
		StoreOpener valkeyrieEtcdClientStoreOpener(Client client) {
			return new SharedClientStoreOpener<>("etcd", Client.class, client, EtcdStore::open, List::of);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.apache.curator.framework.CuratorFramework")
	@ConditionalOnBean(type = "org.apache.curator.framework.CuratorFramework")
	static class CuratorConfiguration {

		@Bean
		@Order(CLIENT_BEAN_ORDER)
		StoreOpener valkeyrieCuratorStoreOpener(CuratorFramework client) {
			return new SharedClientStoreOpener<>("zookeeper", CuratorFramework.class, client,
					(config, curator) -> ZookeeperStore.open(curator, config),
					() -> List.of(client.getZookeeperClient().getCurrentConnectionString()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.data.redis.connection.RedisConnectionFactory",
			"io.lettuce.core.RedisClient" })
	@ConditionalOnBean(type = "org.springframework.data.redis.connection.RedisConnectionFactory")
	static class RedisConnectionFactoryConfiguration {

		/**
		 * The application's own factory. Spring Boot's, built from {@code spring.data.redis.*},
		 * is left to {@link DataRedisStoreOpener}: the store then opens its own connections to
		 * the same Redis, bounded by {@code valkeyrie.request-timeout} instead of the factory's
		 * command timeout (Lettuce's default is 60 s).
		 */
		@Bean
		@Order(CLIENT_BEAN_ORDER)
		StoreOpener valkeyrieRedisConnectionFactoryStoreOpener(ConfigurableListableBeanFactory beanFactory) {
			List<String> own = Arrays.stream(beanFactory.getBeanNamesForType(RedisConnectionFactory.class))
				.filter((name) -> !isSpringBoots(beanFactory, name))
				.toList();
			if (own.size() != 1) {
				return SharedClientStoreOpener.none();
			}
			RedisConnectionFactory factory = beanFactory.getBean(own.get(0), RedisConnectionFactory.class);
			return new SharedClientStoreOpener<>("redis", RedisConnectionFactory.class, factory, RedisStore::open,
					() -> addresses(factory));
		}

		private static boolean isSpringBoots(ConfigurableListableBeanFactory beanFactory, String name) {
			if (!beanFactory.containsBeanDefinition(name)) {
				return false;
			}
			String factoryBean = beanFactory.getMergedBeanDefinition(name).getFactoryBeanName();
			Class<?> type = (factoryBean != null) ? beanFactory.getType(factoryBean) : null;
			return type != null && type.getName().startsWith("org.springframework.boot.");
		}

		private static List<String> addresses(RedisConnectionFactory factory) {
			if (!(factory instanceof LettuceConnectionFactory lettuce)) {
				return List.of();
			}
			if (lettuce.getSentinelConfiguration() != null) {
				return lettuce.getSentinelConfiguration()
					.getSentinels()
					.stream()
					.map((node) -> "redis-sentinel://" + node.getHost() + ":" + node.getPort())
					.toList();
			}
			if (lettuce.getClusterConfiguration() != null) {
				return lettuce.getClusterConfiguration()
					.getClusterNodes()
					.stream()
					.map((node) -> "redis://" + node.getHost() + ":" + node.getPort())
					.toList();
			}
			return List.of("redis://" + lettuce.getHostName() + ":" + lettuce.getPort());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails")
	@ConditionalOnBean(type = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails")
	static class DataRedisConfiguration {

		@Bean
		@Order(PROPERTIES_ORDER)
		StoreOpener valkeyrieDataRedisStoreOpener(DataRedisConnectionDetails connectionDetails,
				Environment environment) {
			return new DataRedisStoreOpener(connectionDetails,
					ValkeyrieDataRedisAutoConfiguration.springDataRedisIsSet(environment));
		}

	}

}
