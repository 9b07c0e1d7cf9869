package io.valkeyrie.boot.config;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application that reads {@code demo.message} through a {@code @ConfigurationProperties}
 * bean and through a {@code @RefreshScope} bean.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableConfigurationProperties(ConfigDataApplication.DemoProperties.class)
class ConfigDataApplication {

	@Bean
	@RefreshScope
	Greeter greeter(@Value("${demo.message:none}") String message) {
		return new Greeter(message);
	}

	@ConfigurationProperties("demo")
	static class DemoProperties {

		private String message = "none";

		public String getMessage() {
			return this.message;
		}

		public void setMessage(String message) {
			this.message = message;
		}

	}

	static class Greeter {

		private final String message;

		Greeter(String message) {
			this.message = message;
		}

		String message() {
			return this.message;
		}

	}

}
