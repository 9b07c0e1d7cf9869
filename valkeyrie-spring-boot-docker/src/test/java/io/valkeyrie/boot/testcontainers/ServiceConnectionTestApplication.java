package io.valkeyrie.boot.testcontainers;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** An application with nothing but the auto-configuration. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ServiceConnectionTestApplication {

}
