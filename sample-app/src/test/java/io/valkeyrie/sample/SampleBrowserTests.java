package io.valkeyrie.sample;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.valkeyrie.store.Store;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.io.TempDir;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.ThrowingRunnable;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The page in a real browser: Debian's headless Chromium driven through its chromedriver
 * (WebDriver). Both come from {@code scripts/chromium fetch}; the test finds them through
 * {@code VALKEYRIE_CHROMIUM} and {@code VALKEYRIE_CHROMEDRIVER} (environment or system
 * properties) and fails, never skips, when they are missing.
 * <p>
 * Built for a loaded machine: every check waits on what the page shows (read in one script,
 * so a list redrawn in between cannot break it), never for a fixed time, and a check that
 * times out fails with the page's state and its feed's log.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, SampleApiTests.SELENIUM_QUIET })
@TestInstance(Lifecycle.PER_CLASS)
class SampleBrowserTests {

	/** Generous: the page runs on a loaded machine; a pass never waits this long. */
	private static final Duration WAIT = Duration.ofSeconds(60);

	@LocalServerPort
	int port;

	@Autowired
	Store store;

	@Autowired
	KeyChangeFeed feed;

	@TempDir
	static Path profile;

	SampleClient client;

	WebDriver browser;

	/** One browser for the class (starting one costs seconds of CPU); each test loads the page afresh. */
	@BeforeAll
	void openBrowser() {
		File chromium = executable("VALKEYRIE_CHROMIUM");
		File chromedriver = executable("VALKEYRIE_CHROMEDRIVER");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(chromium);
		// The network is closed here: without the background-networking flags Chromium keeps
		// trying to reach Google's services and floods the log with refused connections.
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath());
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver)
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(service, options);
		this.browser.manage().timeouts().pageLoadTimeout(WAIT);
		this.client = new SampleClient(this.port);
	}

	@AfterAll
	void closeBrowser() {
		if (this.browser != null) {
			this.browser.quit();
		}
	}

	@Test
	void aKeyWrittenThroughTheApiAppearsOnThePage() {
		this.client.put("/api/kv/browser/before", "listed at load");
		openPage();
		awaitPage("browser/before listed at load", () -> assertThat(rows()).containsEntry("browser/before", "listed at load"));

		this.client.put("/api/kv/browser/live", "pushed");
		awaitPage("browser/live pushed", () -> {
			assertThat(rows()).containsEntry("browser/live", "pushed");
			assertThat(feed()).anySatisfy((item) -> assertThat(item).startsWith("put browser/live = pushed"));
		});

		this.client.delete("/api/kv/browser/live");
		awaitPage("browser/live deleted", () -> {
			assertThat(rows()).doesNotContainKey("browser/live");
			assertThat(feed()).anySatisfy((item) -> assertThat(item).startsWith("delete browser/live"));
		});
	}

	@Test
	void aBinaryValueIsShownAsBase64() {
		openPage();
		this.client.put("/api/kv/browser/binary", new byte[] { (byte) 0xff, 0, 1 }, "Content-Type",
				"application/octet-stream");
		awaitPage("browser/binary as Base64",
				() -> assertThat(rows()).containsEntry("browser/binary", "(base64) /wAB"));
	}

	@Test
	void thePageWritesAndDeletesThroughTheApi() {
		openPage();
		this.browser.findElement(By.id("key")).sendKeys("browser/form");
		this.browser.findElement(By.id("value")).sendKeys("typed");
		this.browser.findElement(By.id("put")).click();
		awaitPage("browser/form written", () -> {
			assertThat(this.store.find("browser/form"))
				.hasValueSatisfying((pair) -> assertThat(pair.valueAsString()).isEqualTo("typed"));
			assertThat(rows()).containsEntry("browser/form", "typed");
		});

		// In one script: the list is redrawn on every change (the leader job writes every few
		// seconds), so a row found in one call may be gone by the next.
		Object clicked = script("const button = document.querySelector(\"#keys tr[data-key='browser/form'] button\");"
				+ " if (button) { button.click(); } return button !== null;");
		assertThat(clicked).as("the row of browser/form has a Delete button").isEqualTo(true);
		awaitPage("browser/form deleted", () -> {
			assertThat(this.store.exists("browser/form")).isFalse();
			assertThat(rows()).doesNotContainKey("browser/form");
		});
	}

	@Test
	void thePageShowsAProblemForABadKey() {
		openPage();
		this.browser.findElement(By.id("key")).sendKeys("bad//key");
		this.browser.findElement(By.id("put")).click();
		awaitPage("the problem of bad//key",
				() -> assertThat(text("error")).startsWith("400 Invalid key").contains("'bad//key'"));
	}

	@Test
	void thePageShowsTheLeader() {
		openPage();
		awaitPage("this instance as the leader", () -> {
			String instance = text("instance");
			assertThat(instance).isNotEqualTo("?");
			assertThat(text("leader")).isEqualTo(instance);
			assertThat(text("leading")).isEqualTo("(this instance)");
		});
	}

	/** Load the page and wait until its live feed is connected and its list loaded. */
	private void openPage() {
		this.browser.get(this.client.base() + "/");
		awaitPage("the feed connected and the list loaded", () -> {
			assertThat(text("connection")).isEqualTo("live");
			assertThat(text("count")).isNotEmpty();
		});
	}

	/**
	 * Wait until the page shows what {@code assertion} checks; if it never does, fail with
	 * what it shows instead and what its feed received.
	 */
	private void awaitPage(String what, ThrowingRunnable assertion) {
		try {
			await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion);
		}
		catch (ConditionTimeoutException ex) {
			fail("The page did not show " + what + " within " + WAIT.toSeconds() + " s.\n" + pageState(), ex);
		}
	}

	/** What the page shows and its feed's log, for a failure message. */
	@SuppressWarnings("unchecked")
	private String pageState() {
		try {
			return "connection: " + text("connection") + "\nerror: " + text("error") + "\nkeys: " + rows()
					+ "\nfeed (newest first): " + feed() + "\nfeed log:\n  "
					+ String.join("\n  ", (List<String>) script("return window.feedLog || [];"))
					+ "\nserver: " + this.feed.subscribers() + " feed clients connected";
		}
		catch (RuntimeException ex) {
			return "(page state unavailable: " + ex + ")";
		}
	}

	/** The key list as the page shows it, key to shown value, read in one script (no stale elements). */
	@SuppressWarnings("unchecked")
	private Map<String, String> rows() {
		List<List<String>> rows = (List<List<String>>) script("return [...document.querySelectorAll('#keys tr')]"
				+ ".map((row) => [row.dataset.key, row.querySelector('td.value').textContent]);");
		Map<String, String> shown = new LinkedHashMap<>();
		rows.forEach((row) -> shown.put(row.get(0), row.get(1)));
		return shown;
	}

	@SuppressWarnings("unchecked")
	private List<String> feed() {
		return (List<String>) script("return [...document.querySelectorAll('#feed li')].map((item) => item.textContent);");
	}

	private String text(String id) {
		return (String) script("const element = document.getElementById(arguments[0]);"
				+ " return element ? element.textContent : null;", id);
	}

	private Object script(String script, Object... arguments) {
		return ((JavascriptExecutor) this.browser).executeScript(script, arguments);
	}

	/** The path in the environment variable or system property {@code name}, checked to be executable. */
	private static File executable(String name) {
		String path = System.getProperty(name, System.getenv(name));
		if (path == null || path.isBlank()) {
			return fail(name + " is not set. The browser test needs Debian's Chromium and chromedriver: run "
					+ "'scripts/chromium fetch' and 'eval \"$(scripts/chromium env)\"' (scripts/test does both), "
					+ "or set " + name + " (environment or -D" + name + "=...) to your own binary.");
		}
		File file = new File(path);
		if (!file.canExecute()) {
			return fail(name + "=" + path + " is not an executable file; run 'scripts/chromium fetch' again");
		}
		return file;
	}

}
