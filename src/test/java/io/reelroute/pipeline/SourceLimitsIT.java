package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.SourceKey;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Limits on what a source may be (reelroute.limits.*), set small, on the embedded default: a source over any of
 * them fails its job at once in phase probe, on the first delivery of its upload event (no retry inside the hop,
 * the message removed, nothing left for SQS to deliver again or move to a DLQ), with the limit named in the reason.
 * A source within them runs; the API refuses a declared size over the limit, and signs an upload with a size.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.limits.max-source-bytes=1MB",
    "reelroute.limits.max-duration=10s",
    "reelroute.limits.max-width=320",
    "reelroute.limits.max-height=240",
    "reelroute.limits.max-frame-rate=30",
    "reelroute.limits.max-segments=3",
    "reelroute.chunking.segment-seconds=2",
    "reelroute.retry-delay-ms=200",
    "reelroute.media.work-dir=target/test-work-limits",
})
class SourceLimitsIT extends RouteTestSupport {

    /** The hops a stereo or renditions job's source passes through before its limits are checked. */
    static final List<String> HOPS = List.of("upload-event", "chunk", "renditions");

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aSourceOverTheSizeLimitFailsBeforeItIsDownloaded() {
        Path source = TestVideos.clip(4, 1280, 720, true);
        assertThat(size(source)).isGreaterThan(1024 * 1024);

        Job job = failsAtOnce("upload-event", () -> upload(source));

        assertThat(job.failureReason()).matches("the source is [0-9.]+ MB; this deployment takes sources up to 1 MB "
                + "\\(reelroute.limits.max-source-bytes\\): trim or compress it and upload again");
    }

    @Test
    void aSourceOverTheDurationLimitFails() {
        Job job = failsAtOnce("upload-event", () -> upload(TestVideos.clip(12, 160, 120, true)));

        assertThat(job.failureReason()).matches("the source lasts 12(\\.[0-9])? s; this deployment takes sources up to "
                + "10 s long \\(reelroute.limits.max-duration\\).*");
    }

    @Test
    void aSourceWiderOrHigherThanTheLimitFails() {
        Job wide = failsAtOnce("upload-event", () -> upload(TestVideos.clip(2, 480, 120, false)));
        assertThat(wide.failureReason()).startsWith("the source's frame is 480x120 pixels; this deployment takes frames "
                + "up to 320 wide and 240 high (reelroute.limits.max-width)");

        Job high = failsAtOnce("upload-event", () -> upload(TestVideos.clip(2, 160, 320, false)));
        assertThat(high.failureReason()).startsWith("the source's frame is 160x320 pixels").contains("(reelroute.limits.max-height)");
    }

    @Test
    void aSourceOverTheFrameRateLimitFailsInEitherPipeline() {
        Path fast = TestVideos.clipAtRate(2, 160, 120, 50);
        assertThat(TestVideos.frameRate(fast)).isEqualTo(50.0);

        Job stereo = failsAtOnce("upload-event", () -> upload(fast));
        assertThat(stereo.failureReason()).isEqualTo("the source runs at 50 frames a second; this deployment takes up "
                + "to 30 frames a second (reelroute.limits.max-frame-rate): convert it to a lower frame rate and upload again");

        // The renditions pipeline looks at its source first for the poster: nothing is made of it.
        Job renditions = failsAtOnce("renditions", () -> startJob("renditions", "{}", fast));
        assertThat(renditions.failureReason()).isEqualTo(stereo.failureReason());
        assertThat(renditions.posterKey()).isNull();
        assertThat(renditions.renditions()).isNullOrEmpty();
    }

    @Test
    void aSourceThatWouldMakeMoreSegmentsThanTheLimitFails() {
        // 7 s in segments of 2 s: 4 segments, over 3.
        Job job = failsAtOnce("upload-event", () -> upload(TestVideos.clip(7, 160, 120, true)));

        assertThat(job.failureReason()).isEqualTo("the source of 7 s would be split into 4 segments of 2 s; this "
                + "deployment makes at most 3 segments of a source (reelroute.limits.max-segments): a longer "
                + "segment_seconds (3 or more) or a shorter source fits");
    }

    @Test
    void theApiRefusesADeclaredSizeOverTheLimitAndSignsTheUploadWithAnAllowedOne() throws Exception {
        HttpResponse<String> tooLarge = post("/jobs", "{\"mode\": \"sbs\", \"size\": 1048577}");
        assertThat(tooLarge.statusCode()).as(tooLarge.body()).isEqualTo(413);
        assertThat(mapper.readTree(tooLarge.body()).get("error").asText()).isEqualTo("the source is 1048577 bytes; "
                + "this deployment takes sources up to 1048576 bytes (reelroute.limits.max-source-bytes): trim or "
                + "compress it and upload again");
        assertThat(post("/jobs", "{\"mode\": \"sbs\", \"size\": \"small\"}").statusCode()).isEqualTo(400);

        // Within the limits: the PUT is signed with the declared length, which the client must send.
        Path source = TestVideos.clip(4, 160, 120, true);
        long bytes = size(source);
        HttpResponse<String> created = post("/jobs", "{\"mode\": \"sbs\", \"size\": " + bytes + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode upload = mapper.readTree(created.body()).get("upload");
        assertThat(upload.get("headers").get("Content-Length").asText()).isEqualTo(Long.toString(bytes));
        assertThat(upload.get("headers").get("Content-Type").asText()).isEqualTo("video/mp4");
        assertThat(upload.get("url").asText()).containsPattern("X-Amz-SignedHeaders=[^&]*content-length");
        // Without a size, the URL takes any length.
        JsonNode unsized = mapper.readTree(post("/jobs", "{\"mode\": \"sbs\"}").body()).get("upload");
        assertThat(unsized.get("headers").has("Content-Length")).isFalse();

        // Java's HTTP client sends Content-Length itself (the file's length), as browsers do.
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofFile(source));
        upload.get("headers").fields().forEachRemaining(header -> {
            if (!header.getKey().equals("Content-Length")) {
                put.header(header.getKey(), header.getValue().asText());
            }
        });
        assertThat(http.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        String jobId = mapper.readTree(created.body()).get("job_id").asText();
        Job job = awaitStatus(jobId, JobStatus.COMPLETED);
        assertThat(job.totalSegments()).isEqualTo(2);

        // Multipart: a declared size over the limit is refused, and the parts are bounded by the size.
        String pending = mapper.readTree(post("/jobs", "{\"mode\": \"sbs\"}").body()).get("job_id").asText();
        HttpResponse<String> partsTooLarge = post("/jobs/" + pending + "/upload-parts", "{\"parts\": 1, \"size\": 2000000}");
        assertThat(partsTooLarge.statusCode()).as(partsTooLarge.body()).isEqualTo(413);
        assertThat(mapper.readTree(partsTooLarge.body()).get("error").asText()).contains("up to 1 MB (reelroute.limits.max-source-bytes)");
        HttpResponse<String> tooManyParts = post("/jobs/" + pending + "/upload-parts", "{\"parts\": 2, \"size\": 900000}");
        assertThat(tooManyParts.statusCode()).as(tooManyParts.body()).isEqualTo(400);
        assertThat(mapper.readTree(tooManyParts.body()).get("error").asText()).startsWith("parts must be a whole number from 1 to 1 ");
        assertThat(post("/jobs/" + pending + "/upload-parts", "{\"parts\": 1, \"size\": 900000}").statusCode()).isEqualTo(201);
    }

    // --- helpers -------------------------------------------------------------------------------------

    /** Starts a job of the default pipeline by uploading {@code video} as its source; returns its id. */
    private String upload(Path video) {
        String jobId = JobIds.newId();
        upload(SourceKey.keyFor(jobId), video);
        return jobId;
    }

    /**
     * Starts a job and waits for it to fail: in phase probe, counted once as failed by {@code hop}, on the first
     * delivery (no hop retried, no error noted on the job, the upload event removed, no DLQ holds anything), with
     * nothing made of its source.
     */
    private Job failsAtOnce(String hop, java.util.function.Supplier<String> start) {
        double failedBefore = count("reelroute.jobs.failed", "hop", hop);
        double[] retriedBefore = HOPS.stream().mapToDouble(h -> count("reelroute.messages.retried", "hop", h)).toArray();

        String jobId = start.get();
        Job job = awaitFailed(jobId);

        assertThat(job.failurePhase()).as(job.failureReason()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.lastError()).as("an error noted for a retry").isNull();
        // The upload event is removed once its exchange is done, after the job was failed and counted.
        assertNothingLeft();
        assertThat(count("reelroute.jobs.failed", "hop", hop) - failedBefore).as("jobs failed by hop %s; %s", hop,
                meters.find("reelroute.jobs.failed").counters().stream().map(c -> c.getId() + "=" + c.count()).toList()).isEqualTo(1);
        for (int i = 0; i < HOPS.size(); i++) {
            assertThat(count("reelroute.messages.retried", "hop", HOPS.get(i))).as("retries of hop %s", HOPS.get(i))
                    .isEqualTo(retriedBefore[i]);
        }
        assertThat(s3.listObjectsV2(r -> r.bucket(names().inputBucket()).prefix("segments/" + jobId + "/")).contents())
                .extracting(S3Object::key).isEmpty();
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix("jobs/" + jobId + "/")).contents())
                .extracting(S3Object::key).isEmpty();
        return job;
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
