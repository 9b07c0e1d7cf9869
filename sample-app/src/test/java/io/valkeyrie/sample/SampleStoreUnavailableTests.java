package io.valkeyrie.sample;

import java.net.http.HttpResponse;

import io.valkeyrie.store.Store;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store that cannot serve gives 503 with a problem body and a Retry-After, never a 500,
 * and health goes DOWN. Its own context: the store is closed under the running app.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, "valkeyrie.leader.enabled=false" })
@DirtiesContext
class SampleStoreUnavailableTests {

	@LocalServerPort
	int port;

	@Autowired
	Store store;

	@Test
	void aStoreThatCannotServeGives503AndHealthDown() {
		SampleClient client = new SampleClient(this.port);
		assertThat(client.put("/api/kv/down/a", "x").statusCode()).isEqualTo(204);
		this.store.close();

		for (HttpResponse<String> response : java.util.List.of(client.get("/api/kv/down/a"),
				client.put("/api/kv/down/a", "y"), client.delete("/api/kv/down/a"), client.get("/api/list/down"))) {
			SampleApiTests.assertProblem(response, 503, "Store unavailable", "StoreClosedException");
			assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
		}

		HttpResponse<String> health = client.get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(503);
		assertThat(SampleClient.json(health).get("components").get("valkeyrie").get("status").asString())
			.isEqualTo("DOWN");
	}

}
