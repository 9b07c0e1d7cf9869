package io.valkeyrie.boot.autoconfigure.web;

import io.valkeyrie.boot.web.StoreExceptionProblemHandler;
import io.valkeyrie.store.KeyNotFoundException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.config.EnableWebFlux;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Store exceptions from a WebFlux controller, thrown or signalled by a {@link Mono}, become
 * the same problem details as in Spring MVC when {@code valkeyrie.web.problem-details.enabled}
 * is set.
 */
class ValkeyrieProblemDetailsWebFluxTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValkeyrieProblemDetailsAutoConfiguration.class))
		.withUserConfiguration(FailingController.class);

	@Test
	void offByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(StoreExceptionProblemHandler.class);
			client(context).get().uri("/fail/not-found").exchange().expectStatus().is5xxServerError();
		});
	}

	@Test
	void storeExceptionsBecomeProblemDetails() {
		this.contextRunner.withPropertyValues("valkeyrie.web.problem-details.enabled=true").run((context) -> {
			WebTestClient client = client(context);
			client.get()
				.uri("/fail/not-found")
				.exchange()
				.expectStatus()
				.isNotFound()
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.title")
				.isEqualTo("Key not found")
				.jsonPath("$.error")
				.isEqualTo("KeyNotFoundException")
				.jsonPath("$.detail")
				.isEqualTo(new KeyNotFoundException("a/b").getMessage());
			client.get().uri("/fail/modified").exchange().expectStatus().isEqualTo(412);
			client.get()
				.uri("/fail/unavailable")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.valueEquals("Retry-After", "1")
				.expectBody()
				.jsonPath("$.error")
				.isEqualTo("StoreUnavailableException");
			client.get().uri("/mono/not-found").exchange().expectStatus().isNotFound();
		});
	}

	private static WebTestClient client(ApplicationContext context) {
		return WebTestClient.bindToApplicationContext(context).build();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebFlux
	@RestController
	static class FailingController {

		@GetMapping("/fail/{what}")
		String fail(@PathVariable String what) {
			throw ValkeyrieProblemDetailsAutoConfigurationTests.FailingController.failure(what);
		}

		@GetMapping("/mono/not-found")
		Mono<String> failLater() {
			return Mono.error(new KeyNotFoundException("a/b"));
		}

	}

}
