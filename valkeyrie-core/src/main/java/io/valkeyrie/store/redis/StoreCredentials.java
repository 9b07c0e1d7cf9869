package io.valkeyrie.store.redis;

import java.util.Arrays;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.valkeyrie.store.StoreConfig;

import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.lettuce.RedisCredentialsProviderFactory;

/**
 * The store's Redis credentials, asked of its configuration on every connect and reconnect
 * (Lettuce resolves a {@link RedisCredentialsProvider} for each handshake), so a password
 * given as a supplier may be rotated while the store runs. The password reaches Lettuce as a
 * {@code char[]} ({@link RedisCredentials#just(String, char[])} keeps a copy); ours is wiped.
 */
final class StoreCredentials implements RedisCredentialsProviderFactory {

	private final StoreConfig config;

	StoreCredentials(StoreConfig config) {
		this.config = config;
	}

	@Override
	public RedisCredentialsProvider createCredentialsProvider(RedisConfiguration server) {
		String username = (server instanceof RedisConfiguration.WithAuthentication authentication)
				? authentication.getUsername() : this.config.username();
		return RedisCredentialsProvider.from(() -> {
			char[] password = this.config.passwordChars();
			try {
				return RedisCredentials.just(username, password);
			}
			finally {
				if (password != null) {
					Arrays.fill(password, '\0');
				}
			}
		});
	}

}
