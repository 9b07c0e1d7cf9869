package io.valkeyrie.boot.autoconfigure.jackson;

import io.valkeyrie.boot.jackson.ValkeyrieJacksonModule;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of {@link ValkeyrieJacksonModule}, a
 * {@code JacksonModule} bean that Spring Boot registers with its {@code JsonMapper}, so a
 * {@code KVPair} returned from a controller is JSON rather than {@code {}}.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnClass(name = { "tools.jackson.databind.JacksonModule", "io.valkeyrie.store.KVPair" })
public final class ValkeyrieJacksonAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ValkeyrieJacksonModule valkeyrieJacksonModule() {
		return new ValkeyrieJacksonModule();
	}

}
