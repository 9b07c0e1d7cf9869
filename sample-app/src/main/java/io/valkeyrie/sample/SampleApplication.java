package io.valkeyrie.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The valkeyrie sample: a REST API over the {@link io.valkeyrie.store.Store} bean, a live
 * feed of key changes (server-sent events), a job that runs on the leader only, and a page
 * that shows all three. Runs on the local backend by default; the {@code consul},
 * {@code etcd}, {@code zookeeper} and {@code redis} profiles point it at a server.
 */
@SpringBootApplication
@EnableScheduling
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
