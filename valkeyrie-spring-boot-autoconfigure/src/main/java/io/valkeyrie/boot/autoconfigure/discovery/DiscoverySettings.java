package io.valkeyrie.boot.autoconfigure.discovery;

import java.time.Duration;
import java.util.UUID;

import io.valkeyrie.boot.discovery.ValkeyrieRegistration;
import io.valkeyrie.boot.discovery.ValkeyrieServiceRegistry;
import io.valkeyrie.store.InvalidKeyException;
import io.valkeyrie.store.Store;
import io.valkeyrie.store.internal.BackendOptions;
import io.valkeyrie.store.internal.DeferredStore;
import io.valkeyrie.store.internal.Keys;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Turns {@link ValkeyrieDiscoveryProperties} into checked settings; a bad value fails
 * startup naming the property.
 */
final class DiscoverySettings {

	private DiscoverySettings() {
	}

	static String root(ValkeyrieDiscoveryProperties properties) {
		try {
			return Keys.dir(properties.getRoot());
		}
		catch (InvalidKeyException ex) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.discovery.root", properties.getRoot(),
					ex.getMessage());
		}
	}

	/**
	 * The configured TTL checked against the store's minimum, or {@code null} for the
	 * registry's default. A store still connecting cannot tell its minimum yet: the
	 * registry checks it when it first writes.
	 */
	static @Nullable Duration ttl(ValkeyrieDiscoveryProperties properties, Store store) {
		Duration ttl = properties.getTtl();
		if (ttl == null || DeferredStore.isConnecting(store)) {
			return ttl;
		}
		Duration minimum = store.minimumTtl();
		if (ttl.compareTo(minimum) < 0) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.discovery.ttl", BackendOptions.format(ttl),
					"It is below the " + store.backend() + " store's minimum TTL of " + BackendOptions.format(minimum));
		}
		return ttl;
	}

	static ValkeyrieRegistration registration(ValkeyrieDiscoveryProperties properties, Environment environment,
			InetUtils inetUtils) {
		String serviceId = properties.getServiceId();
		if (StringUtils.hasText(serviceId)) {
			check("valkeyrie.discovery.service-id", serviceId);
		}
		else {
			serviceId = environment.getProperty("spring.application.name", "application");
			check("spring.application.name", serviceId);
		}
		String instanceId = properties.getInstanceId();
		if (!StringUtils.hasText(instanceId)) {
			instanceId = serviceId + "-" + UUID.randomUUID();
		}
		check("valkeyrie.discovery.instance-id", instanceId);
		String host = properties.getHostname();
		if (!StringUtils.hasText(host)) {
			InetUtils.HostInfo info = inetUtils.findFirstNonLoopbackHostInfo();
			host = properties.isPreferIpAddress() ? info.getIpAddress() : info.getHostname();
		}
		Integer port = properties.getPort();
		if (port != null && (port <= 0 || port > 65535)) {
			throw new InvalidConfigurationPropertyValueException("valkeyrie.discovery.port", port,
					"A port is between 1 and 65535");
		}
		return new ValkeyrieRegistration(serviceId, instanceId, host, (port != null) ? port : 0,
				properties.isSecure(), properties.getZone(), properties.getMetadata());
	}

	private static void check(String property, String segment) {
		try {
			ValkeyrieServiceRegistry.checkId(property, segment);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(property, segment, ex.getMessage());
		}
	}

}
