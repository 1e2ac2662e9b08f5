package io.dispatchd.server;

import io.dispatchd.server.service.SleepService;
import io.dispatchd.testing.SystemTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard of the packaged jar in a real browser: Debian's headless Chromium, driven through
 * its chromedriver (both named explicitly, so Selenium downloads nothing), and a SIGTERM to the
 * server process for the draining banner. Skipped, saying how to install them,
 * where they are missing; {@code .ci/run} installs both. Leaves a screenshot in
 * {@code target/dashboard.png}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardBrowserIT {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private static final java.util.regex.Pattern ADMIN =
            java.util.regex.Pattern.compile("dispatchd admin on http://127\\.0\\.0\\.1:(\\d+)/");

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    private ServerProcess server;
    private java.net.InetSocketAddress requests;
    private int adminPort;
    private ChromeDriver browser;

    @BeforeEach
    void startBrowser() {
        SystemTools.assumeInstalled("chromium", "apt-get install -y chromium chromium-driver");
        SystemTools.assumeInstalled("chromedriver", "apt-get install -y chromium-driver");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    /** The packaged server with the sleep plugin and these flags. */
    private void startServer(String... flags) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--port", "0", "--admin-port", "0", "--drain-timeout", "20s"));
        args.addAll(List.of(flags));
        server = ServerProcess.startWithPlugins(List.of(ServerProcess.pluginJar(tmp, SleepService.class)), List.of(),
                args.toArray(String[]::new));
        requests = new java.net.InetSocketAddress("127.0.0.1", server.awaitListening());
        adminPort = server.out.stream().map(ADMIN::matcher).filter(java.util.regex.Matcher::find)
                .mapToInt(m -> Integer.parseInt(m.group(1))).findFirst().orElseThrow();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theNumbersMoveTheChartsDrawNothingComesFromElsewhereAndADrainShowsItsBanner() throws Exception {
        startServer();
        String origin = "http://127.0.0.1:" + adminPort;
        browser.get(origin + "/");
        await().atMost(Duration.ofSeconds(10)).until(() -> text("live").equals("live"));

        AtomicBoolean loading = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            try (TestConnection c = new TestConnection(requests)) {
                while (loading.get()) {
                    c.send("a 1\nb 2\nc 3\nd 4\n".repeat(50)).read(200);
                }
            } catch (Exception e) {
                // the server is going away at the end of the test
            }
        }, "load");
        load.start();
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> number("completed-ok") > 1000);
            await().atMost(Duration.ofSeconds(15)).until(() -> number("rate-total") > 0);
            // the page redraws every second: read what it shows in one script, not through stale elements
            await().atMost(Duration.ofSeconds(10)).until(() -> ((Number) script(
                    "return document.querySelector(\"#chart-ack polyline[data-series='ok']\")"
                            + ".getAttribute('points').split(' ').length;")).intValue() > 3); // a point a second
            @SuppressWarnings("unchecked")
            List<String> durations = (List<String>) script(
                    "return [...document.querySelectorAll('#durations tbody tr')].map(r => r.innerText);");
            assertThat(durations).anySatisfy(row -> assertThat(row).startsWith("a").doesNotContain("–"));
            Files.createDirectories(Path.of("target"));
            Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                    Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        } finally {
            loading.set(false);
            load.join(10_000);
        }

        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name);");
        assertThat(loaded).isNotEmpty().allMatch(url -> url.startsWith(origin + "/"));

        assertThat(browser.findElement(By.id("draining")).isDisplayed()).isFalse();
        try (TestConnection c = new TestConnection(requests)) {
            assertThat(c.send("sleep 5s\n").read(1)).isEqualTo("+"); // in progress: the drain, and the page, go on a while
            server.terminate(); // SIGTERM
            await().atMost(Duration.ofSeconds(5)).until(() -> browser.findElement(By.id("draining")).isDisplayed());
        }
        assertThat(server.awaitExit()).isZero();
    }

    @Test
    void withAnAdminTokenThePageAsksForItOnceAndKeepsItOutOfTheUrl() throws Exception {
        Path tokens = Files.writeString(tmp.resolve("admin-tokens"), "s3cret-admin\n");
        startServer("--admin-token-file", tokens.toString());
        browser.get("http://127.0.0.1:" + adminPort + "/");
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("token")).isDisplayed());
        assertThat(text("live")).isEqualTo("token needed");
        browser.findElement(By.id("token-value")).sendKeys("s3cret-admin");
        browser.findElement(By.cssSelector("#token button")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> text("live").equals("live"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !text("version").isEmpty());
        assertThat(browser.getCurrentUrl()).doesNotContain("s3cret");
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name);");
        assertThat(loaded).noneMatch(url -> url.contains("s3cret"));
    }

    private Object script(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    /** A number the page shows, "12.3k" and "1.20M" included; 0 for "–". */
    private double number(String id) {
        String t = text(id);
        if (t.isEmpty() || t.equals("–")) {
            return 0;
        }
        double scale = t.endsWith("k") ? 1e3 : t.endsWith("M") ? 1e6 : 1;
        return Double.parseDouble(scale == 1 ? t : t.substring(0, t.length() - 1)) * scale;
    }
}
