package io.valkeyrie.sample;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.valkeyrie.store.Store;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.DeferredResultProcessingInterceptor;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscriber whose connection is dead, and whose failure the container has already
 * reported, while a burst of changes is published: the live subscriber gets every change,
 * in order (issue #15; CI once lost a change to the page this way).
 * <p>
 * What CI hit by chance is forced here, with real Tomcat and Spring MVC: the application's
 * write to the reset connection fails, and the container's error notification
 * ({@code AsyncListener.onError}) returns before the application's ending of that stream
 * reaches the container, which then refuses it ({@code IllegalStateException}: "A
 * non-container (application) thread attempted to use the AsyncContext after an error had
 * occurred"). Three container hooks of the test order it: Tomcat has one worker thread, held
 * by a request until the application is ending the dead stream; a
 * {@link DeferredResultProcessingInterceptor} holds the application there until the
 * container's {@code onError} has returned; an {@link AsyncListener} after Spring's lets the
 * container go on only once the application has gone on.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, SampleApiTests.SELENIUM_QUIET, "server.tomcat.threads.max=1",
				"server.tomcat.threads.min-spare=1" })
class SampleFeedDeadSubscriberTests {

	private static final int BURST = 1_000;

	private static final long WAIT = SseStream.WAIT.toSeconds();

	@LocalServerPort
	int port;

	@Autowired
	Store store;

	@Autowired
	ContainerErrorFirst order;

	@Test
	void aSubscriberWhoseFailureTheContainerReportedFirstCostsTheLiveOneNothing() throws Exception {
		Socket dead = SseStream.openRaw(this.port);
		try (SseStream live = SseStream.open(new SampleClient(this.port), null)) {
			SampleClient holder = new SampleClient(this.port);
			CompletableFuture<?> held = holder.http()
				.sendAsync(holder.request(ContainerErrorFirst.HOLD).GET().build(), BodyHandlers.discarding());
			assertThat(this.order.workerHeld.await(WAIT, TimeUnit.SECONDS)).as("the worker thread is held").isTrue();
			// Reset, as a crashed browser does: the next write to it fails.
			dead.setSoLinger(true, 0);
			dead.close();
			this.order.armed.set(true);

			// From another thread: whether a put waits for the feed is the store's business, not this test's.
			CompletableFuture<Void> burst = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < BURST; i++) {
					this.store.put("dead/burst", String.valueOf(i).getBytes(StandardCharsets.UTF_8));
				}
			});
			assertThat(this.order.applicationEnding.await(WAIT, TimeUnit.SECONDS))
				.as("the application ends the dead stream").isTrue();
			this.order.releaseWorker.countDown();
			held.get(WAIT, TimeUnit.SECONDS);
			assertThat(this.order.containerReported.await(WAIT, TimeUnit.SECONDS))
				.as("the container reports the dead stream's error").isTrue();

			for (int i = 0; i < BURST; i++) {
				SseStream.Event event = live.next((candidate) -> candidate.isChangeOf("dead/burst"));
				assertThat(event.data().get("value").asString()).as("change %d of the burst", i)
					.isEqualTo(String.valueOf(i));
			}
			burst.get(WAIT, TimeUnit.SECONDS);
		}
	}

	/** The container hooks that order the application's and the container's handling of the dead stream. */
	@TestConfiguration(proxyBeanMethods = false)
	static class ContainerErrorFirst implements WebMvcConfigurer, DeferredResultProcessingInterceptor, Filter {

		static final String HOLD = "/test/hold-the-worker";

		final CountDownLatch workerHeld = new CountDownLatch(1);

		final CountDownLatch releaseWorker = new CountDownLatch(1);

		/** Set once the dead subscriber is reset: the next stream the application ends is its. */
		final AtomicBoolean armed = new AtomicBoolean();

		final CountDownLatch applicationEnding = new CountDownLatch(1);

		final CountDownLatch containerReported = new CountDownLatch(1);

		final CountDownLatch applicationGoesOn = new CountDownLatch(1);

		@Override
		public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
			configurer.registerDeferredResultInterceptors(this);
		}

		/** The application ends a stream (on its own thread): for the dead one, wait for the container's error report. */
		@Override
		public <T> void postProcess(NativeWebRequest request, DeferredResult<T> deferredResult,
				Object concurrentResult) throws InterruptedException {
			if (this.armed.compareAndSet(true, false)) {
				this.applicationEnding.countDown();
				this.containerReported.await(WAIT, TimeUnit.SECONDS);
				this.applicationGoesOn.countDown();
			}
		}

		@Override
		public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
				throws IOException, ServletException {
			if (((HttpServletRequest) request).getRequestURI().equals(HOLD)) {
				this.workerHeld.countDown();
				await(this.releaseWorker);
				return;
			}
			chain.doFilter(request, response);
			if (request.isAsyncStarted()) {
				// After Spring's listener: Tomcat counts onError as returned once Spring's has.
				request.getAsyncContext().addListener(new AsyncListener() {

					@Override
					public void onError(AsyncEvent event) {
						if (ContainerErrorFirst.this.applicationEnding.getCount() == 0) {
							ContainerErrorFirst.this.containerReported.countDown();
							await(ContainerErrorFirst.this.applicationGoesOn);
						}
					}

					@Override
					public void onComplete(AsyncEvent event) {
					}

					@Override
					public void onTimeout(AsyncEvent event) {
					}

					@Override
					public void onStartAsync(AsyncEvent event) {
					}

				});
			}
		}

		private static void await(CountDownLatch latch) {
			try {
				latch.await(WAIT, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
