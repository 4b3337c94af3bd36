package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.SourceKey;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;

/**
 * The web page at / in headless Chromium, on the embedded default: a generated video is uploaded through the
 * page (straight to S3 with the presigned URL), the page follows the job's events to its end, and the HLS
 * result plays in the page's video element (its currentTime advances). Needs Debian's {@code chromium} and
 * {@code chromium-driver}; skipped with a message where they are absent.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.sqs.visibility-timeout-seconds=4",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.inference.concurrent-consumers=2",
    "reelroute.media.work-dir=target/test-work-browser",
    "reelroute.api.event-poll=250ms",
})
class WebPageBrowserIT extends RouteTestSupport {

    static final Path CHROMIUM = Path.of(System.getProperty("reelroute.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("reelroute.test.chromedriver", "/usr/bin/chromedriver"));
    // Conversion, packaging and the player's start together.
    static final Duration PLAYBACK_PATIENCE = Duration.ofSeconds(180);

    @BeforeAll
    static void needsChromium() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            System.out.println("[SKIPPED] WebPageBrowserIT: no " + CHROMIUM + " or " + CHROMEDRIVER
                    + " (Debian: apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(present, "headless Chromium is not installed (Debian packages chromium and chromium-driver)");
    }

    @LocalServerPort
    int port;

    ChromeDriver browser;

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aVideoUploadedThroughThePageIsConvertedAndPlaysAsHls() {
        browser = chromium();
        browser.get("http://localhost:" + port + "/");
        Path video = TestVideos.clip(8, 320, 240, true).toAbsolutePath();
        browser.findElement(By.id("file")).sendKeys(video.toString());
        // The params form is built from GET /pipelines: the stereo pipeline (the default) has a format.
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector("#param-format option[value='anaglyph']")).isEmpty());
        browser.findElement(By.cssSelector("#param-format option[value='anaglyph']")).click();
        browser.findElement(By.id("title")).sendKeys("browser test");
        browser.findElement(By.id("start")).click();

        await().atMost(Duration.ofSeconds(30)).until(() -> !browser.findElement(By.id("job-id")).getText().isBlank());
        String jobId = browser.findElement(By.id("job-id")).getText();
        // The page follows the job live: the segment progress reaches 2 of 2.
        await().atMost(PLAYBACK_PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
            failIfTheJobFailed(jobId);
            return browser.findElement(By.id("segments-text")).getText().equals("2 of 2");
        });
        // Once HLS is ready the page plays it: currentTime advances.
        JavascriptExecutor js = browser;
        await().atMost(PLAYBACK_PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
            failIfTheJobFailed(jobId);
            Object error = js.executeScript("return document.getElementById('message').className === 'error'"
                    + " ? document.getElementById('message').textContent : null");
            assertThat(error).as("the page reported an error").isNull();
            return number(js.executeScript("return document.getElementById('player').currentTime")) > 1.0;
        });
        double first = number(js.executeScript("return document.getElementById('player').currentTime"));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                number(js.executeScript("return document.getElementById('player').currentTime")) > first + 0.5);
        assertThat(browser.findElement(By.id("playing")).getText()).isEqualTo(jobId);
        assertThat(jobs.find(jobId).orElseThrow().title()).isEqualTo("browser test");

        // The completed job is listed with its actions; deleting it through the page removes it.
        WebElement listed = await().atMost(Duration.ofSeconds(20)).until(
                () -> browser.findElements(By.cssSelector("#completed li[data-job-id='" + jobId + "']")),
                found -> !found.isEmpty()).get(0);
        List<String> buttons = listed.findElements(By.tagName("button")).stream().map(WebElement::getText).toList();
        assertThat(buttons).contains("Play", "Timeline", "Delete");

        // The job's timeline, selected in the list: a bar per hop on one time axis, and a bar per segment.
        browser.executeScript("document.getElementById('timeline').replaceChildren()");
        listed.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("Timeline")).findFirst()
                .orElseThrow().click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElements(By.cssSelector("#timeline .bar")).size() >= 6);
        assertThat(browser.findElement(By.id("timeline-job")).getText()).isEqualTo(jobId);
        for (String hop : new String[] {"chunk", "completion", "reassembly", "packaging"}) {
            WebElement bar = browser.findElement(By.cssSelector("#timeline .bar[data-hop='" + hop + "']"));
            assertThat(bar.isDisplayed()).as(hop).isTrue();
            assertThat(bar.getDomAttribute("title")).as(hop).startsWith(hop + ": ");
        }
        assertThat(browser.findElements(By.cssSelector("#timeline .bar[data-segment]"))).hasSize(2);
        Object inOrder = js.executeScript("const x = (h) => document.querySelector(\"#timeline .bar[data-hop='\" + h + \"']\")"
                + ".getBoundingClientRect().left; return x('chunk') <= x('completion') && x('completion') <= x('reassembly')"
                + " && x('reassembly') <= x('packaging')");
        assertThat(inOrder).as("the bars lie on one time axis, in the order the hops ran").isEqualTo(true);
        listed.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("Delete")).findFirst()
                .orElseThrow().click();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs.find(jobId).map(Job::deletedAt).isPresent());
        // The page removes the item once the answer to its DELETE arrives, a moment after the record is marked.
        await().atMost(Duration.ofSeconds(10)).until(
                () -> browser.findElements(By.cssSelector("#completed li[data-job-id='" + jobId + "']")).isEmpty());
    }

    /**
     * The page's preview flow: a format and a strength picked, three clips previewed side by side, the full run
     * started with those settings, and the download named for the format.
     */
    @Test
    void aJobPreviewedInThePageIsStartedAndDownloadsUnderItsFormatsName() {
        browser = chromium();
        browser.get("http://localhost:" + port + "/");
        browser.findElement(By.id("file")).sendKeys(TestVideos.clip(8, 320, 240, true).toAbsolutePath().toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector("#param-format option[value='half-tb']")).isEmpty());
        browser.findElement(By.cssSelector("#param-format option[value='half-tb']")).click();
        WebElement strength = browser.findElement(By.id("param-divergence"));
        strength.clear();
        strength.sendKeys("3");
        browser.findElement(By.id("title")).sendKeys("Dunes");
        browser.findElement(By.id("preview-first")).click();
        browser.findElement(By.id("start")).click();

        await().atMost(PLAYBACK_PATIENCE).pollInterval(Duration.ofMillis(500)).until(
                () -> browser.findElements(By.cssSelector("#clips video")).size() == 3);
        String jobId = browser.findElement(By.id("job-id")).getText();
        assertThat(browser.findElement(By.id("preview-status")).getText()).isEqualTo("(half-tb, strength 3)");
        assertThat(jobs.find(jobId).orElseThrow().status()).as("held until started").isEqualTo(JobStatus.CREATED);

        browser.findElement(By.id("start-held")).click();
        WebElement download = await().atMost(PLAYBACK_PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
            failIfTheJobFailed(jobId);
            return browser.findElement(By.id("download"));
        }, WebElement::isDisplayed);
        assertThat(download.getText()).isEqualTo("Download Dunes_TB.mp4");
        assertThat(jobs.find(jobId).orElseThrow().params().text("format")).isEqualTo("half-tb");
        assertThat(jobs.find(jobId).orElseThrow().params().number("divergence").doubleValue()).isEqualTo(3.0);
    }

    /** A failed job is listed under Failed with where and why it failed, the tool's output folded away, and Retry. */
    @Test
    void aFailedJobIsListedWithItsFailureAndARetryButton() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS, ApiAuth.LOCAL_SUBJECT, "broken clip");
        jobs.fail(jobId, FailurePhase.CHUNKING, "ffmpeg could not cut the source", "moov atom not found");

        browser = chromium();
        browser.get("http://localhost:" + port + "/");
        WebElement listed = await().atMost(Duration.ofSeconds(20)).until(
                () -> browser.findElements(By.cssSelector("#failed li[data-job-id='" + jobId + "']")),
                found -> !found.isEmpty()).get(0);
        assertThat(listed.getText()).contains("broken clip", "Failed in chunking: ffmpeg could not cut the source");
        WebElement details = listed.findElement(By.tagName("details"));
        assertThat(details.getAttribute("open")).as("folded away at first").isNull();
        assertThat(listed.findElement(By.tagName("pre")).isDisplayed()).isFalse();
        details.findElement(By.tagName("summary")).click();
        assertThat(listed.findElement(By.tagName("pre")).getText()).isEqualTo("moov atom not found");
        assertThat(browser.findElements(By.cssSelector("#completed li[data-job-id='" + jobId + "'], #in-progress li[data-job-id='"
                + jobId + "']"))).isEmpty();

        // Retry is offered; this job has no source to run again, and the page says so.
        listed.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("Retry")).findFirst()
                .orElseThrow().click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("message")).getText()
                .contains("no uploaded source"));
    }

    /**
     * A file over the page's multipart threshold goes up in parts (upload-parts, a PUT a part, complete-upload); the
     * test lowers the threshold and the part size so that a 6 MiB file makes two parts. With every event stream of
     * the user taken, the page follows the job by polling GET /jobs/{id} to its end (a failure: the file is no video).
     */
    @Test
    void aLargeFileGoesUpInPartsAndIsFollowedByPollingWhenNoStreamIsFree() throws Exception {
        byte[] content = new byte[6 * 1024 * 1024];
        new Random(7).nextBytes(content);
        Path file = Files.createTempFile("reelroute-parts", ".mp4");
        Files.write(file, content);
        String busy = JobIds.newId();
        jobs.createIfAbsent(busy, Mode.SBS, ApiAuth.LOCAL_SUBJECT, "busy");
        HttpClient http = HttpClient.newHttpClient();
        List<InputStream> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/jobs/" + busy + "/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(stream.statusCode()).isEqualTo(200);
                streams.add(stream.body());
            }
            browser = chromium();
            browser.get("http://localhost:" + port + "/");
            browser.executeScript("PARTS_ABOVE = 1024 * 1024; PART_BYTES = 5 * 1024 * 1024;");
            browser.findElement(By.id("file")).sendKeys(file.toAbsolutePath().toString());
            browser.findElement(By.id("start")).click();

            await().atMost(PLAYBACK_PATIENCE).pollInterval(Duration.ofMillis(500)).until(
                    () -> browser.findElement(By.id("message")).getText(), text -> text.startsWith("The job failed"));
            String jobId = browser.findElement(By.id("job-id")).getText();
            assertThat(browser.findElement(By.id("message")).getText()).contains("probe");
            assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
            byte[] uploaded = s3.getObjectAsBytes(r -> r.bucket(names().inputBucket()).key(SourceKey.keyFor(jobId))).asByteArray();
            assertThat(uploaded).as("both parts, joined").isEqualTo(content);
            assertThat(s3.headObject(r -> r.bucket(names().inputBucket()).key(SourceKey.keyFor(jobId))).eTag())
                    .as("a multipart object's ETag ends in its part count").matches("\"?[0-9a-f]+-2\"?");
        } finally {
            for (InputStream stream : streams) {
                stream.close();
            }
            Files.deleteIfExists(file);
        }
    }

    private void failIfTheJobFailed(String jobId) {
        jobs.find(jobId).filter(j -> j.failureReason() != null).ifPresent(j -> {
            throw new AssertionError("job failed in " + j.failurePhase() + ": " + j.failureReason());
        });
    }

    private static double number(Object value) {
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    private static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--autoplay-policy=no-user-gesture-required", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}
