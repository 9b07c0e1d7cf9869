package io.valkeyrie.boot.autoconfigure.web;

import io.valkeyrie.boot.web.StoreExceptionProblemHandler;
import io.valkeyrie.store.KeyModifiedException;
import io.valkeyrie.store.KeyNotFoundException;
import io.valkeyrie.store.StoreException;
import io.valkeyrie.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Store exceptions from a Spring MVC controller become problem details when, and only when,
 * {@code valkeyrie.web.problem-details.enabled} is set.
 */
class ValkeyrieProblemDetailsAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValkeyrieProblemDetailsAutoConfiguration.class))
		.withUserConfiguration(FailingController.class);

	@Test
	void offByDefault() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(StoreExceptionProblemHandler.class));
	}

	@Test
	void storeExceptionsBecomeProblemDetails() {
		this.contextRunner.withPropertyValues("valkeyrie.web.problem-details.enabled=true").run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) context.getSourceApplicationContext())
				.build();
			mvc.perform(get("/fail/not-found"))
				.andExpect(status().isNotFound())
				.andExpect(content().contentType("application/problem+json"))
				.andExpect(jsonPath("$.title").value("Key not found"))
				.andExpect(jsonPath("$.error").value("KeyNotFoundException"))
				.andExpect(jsonPath("$.detail").value(new KeyNotFoundException("a/b").getMessage()));
			mvc.perform(get("/fail/modified")).andExpect(status().isPreconditionFailed());
			mvc.perform(get("/fail/unavailable"))
				.andExpect(status().isServiceUnavailable())
				.andExpect(header().string("Retry-After", "1"))
				.andExpect(jsonPath("$.error").value("StoreUnavailableException"));
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebMvc
	@RestController
	static class FailingController {

		@GetMapping("/fail/{what}")
		String fail(@PathVariable String what) {
			throw failure(what);
		}

		/** What {@code /fail/{what}} throws, in the WebFlux test too. */
		static StoreException failure(String what) {
			return switch (what) {
				case "not-found" -> new KeyNotFoundException("a/b");
				case "modified" -> new KeyModifiedException("a/b");
				default -> new StoreUnavailableException("etcd", "no answer", null);
			};
		}

	}

}
