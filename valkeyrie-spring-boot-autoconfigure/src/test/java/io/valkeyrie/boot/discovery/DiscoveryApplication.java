package io.valkeyrie.boot.discovery;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application that registers itself and answers {@code GET /instance} with its instance
 * id. Its {@link #main} runs it in a separate JVM, which prints {@code REGISTERED <id>} once
 * its instance is in the store and then waits to be killed.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(DiscoveryApplication.InstanceController.class)
public class DiscoveryApplication {

	/** The line the separate JVM prints once registered. */
	static final String REGISTERED = "REGISTERED ";

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(DiscoveryApplication.class);
		application.addListeners((InstanceRegisteredEvent<?> event) -> {
			if (event.getConfig() instanceof ValkeyrieRegistration registration) {
				System.out.println(REGISTERED + registration.getInstanceId());
				System.out.flush();
			}
		});
		application.run(args);
	}

	@RestController
	static class InstanceController {

		private final ValkeyrieRegistration registration;

		InstanceController(ValkeyrieRegistration registration) {
			this.registration = registration;
		}

		@GetMapping("/instance")
		String instance() {
			return this.registration.getInstanceId();
		}

	}

}
