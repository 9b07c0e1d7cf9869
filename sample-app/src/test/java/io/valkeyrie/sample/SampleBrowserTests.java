package io.valkeyrie.sample;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.valkeyrie.store.Store;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
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
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SampleApiTests.IN_MEMORY, SampleApiTests.SELENIUM_QUIET })
@TestInstance(Lifecycle.PER_CLASS)
class SampleBrowserTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@LocalServerPort
	int port;

	@Autowired
	Store store;

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
		await().atMost(WAIT).untilAsserted(() -> assertThat(value("browser/before")).isEqualTo("listed at load"));

		this.client.put("/api/kv/browser/live", "pushed");
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(value("browser/live")).isEqualTo("pushed");
			assertThat(feed()).anySatisfy((item) -> assertThat(item).startsWith("put browser/live = pushed"));
		});

		this.client.delete("/api/kv/browser/live");
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(row("browser/live")).isEmpty();
			assertThat(feed()).anySatisfy((item) -> assertThat(item).startsWith("delete browser/live"));
		});
	}

	@Test
	void thePageWritesAndDeletesThroughTheApi() {
		openPage();
		this.browser.findElement(By.id("key")).sendKeys("browser/form");
		this.browser.findElement(By.id("value")).sendKeys("typed");
		this.browser.findElement(By.id("put")).click();
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.store.find("browser/form")).hasValueSatisfying(
					(pair) -> assertThat(pair.valueAsString()).isEqualTo("typed"));
			assertThat(value("browser/form")).isEqualTo("typed");
		});

		row("browser/form").get(0).findElement(By.tagName("button")).click();
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.store.exists("browser/form")).isFalse();
			assertThat(row("browser/form")).isEmpty();
		});
	}

	@Test
	void thePageShowsAProblemForABadKey() {
		openPage();
		this.browser.findElement(By.id("key")).sendKeys("bad//key");
		this.browser.findElement(By.id("put")).click();
		await().atMost(WAIT).untilAsserted(() -> assertThat(this.browser.findElement(By.id("error")).getText())
			.startsWith("400 Invalid key"));
	}

	@Test
	void thePageShowsTheLeader() {
		openPage();
		await().atMost(WAIT).untilAsserted(() -> {
			String instance = this.browser.findElement(By.id("instance")).getText();
			assertThat(instance).isNotEqualTo("?");
			assertThat(this.browser.findElement(By.id("leader")).getText()).isEqualTo(instance);
			assertThat(this.browser.findElement(By.id("leading")).getText()).isEqualTo("(this instance)");
		});
	}

	/** Load the page and wait until its live feed is connected. */
	private void openPage() {
		this.browser.get(this.client.base() + "/");
		await().atMost(WAIT).untilAsserted(
				() -> assertThat(this.browser.findElement(By.id("connection")).getText()).isEqualTo("live"));
	}

	private List<WebElement> row(String key) {
		return this.browser.findElements(By.cssSelector("#keys tr[data-key='" + key + "']"));
	}

	private String value(String key) {
		List<WebElement> row = row(key);
		return row.isEmpty() ? null : row.get(0).findElement(By.cssSelector("td.value")).getText();
	}

	private List<String> feed() {
		return this.browser.findElements(By.cssSelector("#feed li")).stream().map(WebElement::getText).toList();
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
