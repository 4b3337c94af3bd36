package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.testing.EmbeddedEmulators;
import io.reelroute.aws.AwsResources;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.SegmentKey;
import io.reelroute.store.JobStore;
import io.reelroute.store.SegmentCompletionStore;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/** The job API over real HTTP, on the embedded emulators, with the pipeline running behind it. */
@CamelSpringBootTest
@DirtiesContext
@TestPropertySource(properties = "reelroute.mode=embedded")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "reelroute.sqs.wait-time-seconds=1",
    "reelroute.sqs.visibility-timeout-seconds=4",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.inference.concurrent-consumers=2",
    "reelroute.inference.retry-delay-ms=200",
    "reelroute.media.work-dir=target/test-work-api",
})
class JobApiTest {

    static final Duration PATIENCE = Duration.ofSeconds(120);
    static final Path DATA = EmbeddedEmulators.newDataDir();

    @DynamicPropertySource
    static void embedded(DynamicPropertyRegistry registry) {
        EmbeddedEmulators.register(registry, DATA);
    }

    @LocalServerPort
    int port;
    @Autowired
    JobStore jobs;
    @Autowired
    SegmentCompletionStore completions;
    @Autowired
    S3Client s3;
    @Autowired
    AwsResources resources;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();

    record Reply(int status, JsonNode json, HttpResponse<String> raw) {
    }

    @Test
    void createValidatesItsInput() throws Exception {
        Reply created = call("POST", "/jobs", "{\"mode\": \"anaglyph\", \"title\": \"Holiday\"}");
        assertThat(created.status()).isEqualTo(201);
        String jobId = created.json().get("job_id").asText();
        assertThat(JobIds.isValid(jobId)).isTrue();
        assertThat(created.json().get("status").asText()).isEqualTo("created");
        JsonNode upload = created.json().get("upload");
        assertThat(upload.get("method").asText()).isEqualTo("PUT");
        assertThat(upload.get("url").asText()).contains("input/" + jobId + "/source.mp4");
        assertThat(upload.get("headers").get("Content-Type").asText()).isEqualTo("video/mp4");
        assertThat(upload.get("expires_at").asText()).isNotEmpty();

        Reply job = call("GET", "/jobs/" + jobId, null);
        assertThat(job.status()).isEqualTo(200);
        assertThat(job.json().get("mode").asText()).isEqualTo("anaglyph");
        assertThat(job.json().get("title").asText()).isEqualTo("Holiday");
        assertThat(job.json().get("eta_seconds").isNull()).isTrue();
        assertThat(job.json().has("failure")).isFalse();
        assertThat(job.raw().headers().firstValue("id")).isEmpty();

        assertError(call("POST", "/jobs", "{\"mode\": "), 400, "not valid JSON");
        assertError(call("POST", "/jobs", "[1]"), 400, "JSON object");
        assertError(call("POST", "/jobs", "{\"title\": \"x\"}"), 400, "mode is required");
        assertError(call("POST", "/jobs", "{\"mode\": \"3d\"}"), 400, "unknown mode");
        assertError(call("POST", "/jobs", "{\"mode\": \"sbs\", \"title\": \"" + "t".repeat(201) + "\"}"), 400,
                "longer than 200");
    }

    @Test
    void getReportsBadIdsAndOtherCallersJobsWithoutLeakingThem() throws Exception {
        assertError(call("GET", "/jobs/not-a-uuid", null), 400, "lowercase UUID");
        assertError(call("GET", "/jobs/" + JobIds.newId().toUpperCase(), null), 400, "lowercase UUID");
        assertError(call("GET", "/jobs/" + JobIds.newId(), null), 404, "no job");
        String someoneElses = JobIds.newId();
        jobs.createIfAbsent(someoneElses, Mode.SBS, "someone-else", null);
        assertError(call("GET", "/jobs/" + someoneElses, null), 404, "no job");
        assertError(call("DELETE", "/jobs/" + someoneElses, null), 404, "no job");
        assertError(call("POST", "/jobs/" + someoneElses + "/retry", null), 404, "no job");
        String ownerless = JobIds.newId();
        jobs.createIfAbsent(ownerless, Mode.SBS);
        assertError(call("GET", "/jobs/" + ownerless, null), 404, "no job");
        assertThat(jobs.find(someoneElses).orElseThrow().deletedAt()).isNull();
    }

    @Test
    void theApiIsDocumentedBesideTheActuator() throws Exception {
        Reply doc = call("GET", "/api-doc", null);
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.json().get("paths").has("/jobs")).isTrue();
        assertThat(doc.json().get("paths").has("/jobs/{id}")).isTrue();
        assertThat(doc.json().get("paths").has("/jobs/{id}/retry")).isTrue();
        // The actuator is still served by the same container (its verdict depends on the pipeline's state).
        Reply health = call("GET", "/actuator/health", null);
        assertThat(health.status()).isIn(200, 503);
        assertThat(health.json().has("status")).isTrue();
    }

    @Test
    void anUploadThroughThePresignedUrlIsTakenToCompletion() throws Exception {
        Reply created = call("POST", "/jobs", "{\"mode\": \"sbs\"}");
        String jobId = created.json().get("job_id").asText();
        assertThat(listAll("in_progress", 100)).contains(jobId);

        put(created.json().get("upload"), HttpRequest.BodyPublishers.ofFile(TestVideos.clip(8, 320, 240, true)));

        JsonNode job = awaitStatus(jobId, "completed");
        assertThat(job.get("progress").get("segments_completed").asInt()).isEqualTo(2);
        assertThat(job.get("progress").get("segments_total").asInt()).isEqualTo(2);
        assertThat(job.get("completed_at").asText()).isNotEmpty();
        assertThat(job.get("eta_seconds").asLong()).isZero();
        Path download = DATA.resolve(jobId + "-final.mp4");
        HttpResponse<Path> got = http.send(HttpRequest.newBuilder(URI.create(job.get("final_url").asText())).build(),
                HttpResponse.BodyHandlers.ofFile(download));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(TestVideos.videoSize(download)).containsExactly(640, 240);
        assertThat(listAll("in_progress", 100)).doesNotContain(jobId);
        assertThat(listAll("completed", 100)).contains(jobId);
    }

    @Test
    void completedJobsArePagedNewestFirstWithSignedTokens() throws Exception {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String jobId = JobIds.newId();
            jobs.createIfAbsent(jobId, Mode.SBS, "local", "paged " + i);
            jobs.complete(jobId);
            made.add(0, jobId);
            Thread.sleep(5);
        }
        String stranger = JobIds.newId();
        jobs.createIfAbsent(stranger, Mode.SBS, "someone-else", null);
        jobs.complete(stranger);

        List<String> listed = new ArrayList<>();
        List<String> completedAt = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Reply page = call("GET", "/jobs?status=completed&limit=2" + (token == null ? "" : "&next_token=" + token), null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.json().get("jobs").size()).isLessThanOrEqualTo(2);
            page.json().get("jobs").forEach(j -> {
                listed.add(j.get("job_id").asText());
                completedAt.add(j.get("completed_at").asText());
            });
            token = page.json().get("next_token").isNull() ? null : page.json().get("next_token").asText();
            pages++;
        } while (token != null && pages < 50);
        assertThat(pages).isGreaterThanOrEqualTo(3);
        assertThat(new HashSet<>(listed)).hasSize(listed.size());
        assertThat(listed).doesNotContain(stranger);
        // Newest first: the five made here lead, most recent first (nothing completes after them meanwhile).
        assertThat(listed.subList(0, 5)).containsExactlyElementsOf(made);
        List<String> sorted = new ArrayList<>(completedAt);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertThat(completedAt).isEqualTo(sorted);

        Reply first = call("GET", "/jobs?status=completed&limit=2", null);
        String issued = first.json().get("next_token").asText();
        char last = issued.charAt(issued.length() - 1);
        String tampered = issued.substring(0, issued.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertError(call("GET", "/jobs?status=completed&limit=2&next_token=" + tampered, null), 400, "next_token");
        assertError(call("GET", "/jobs?status=in_progress&limit=2&next_token=" + issued, null), 400, "another listing");
        assertError(call("GET", "/jobs?status=completed&next_token=garbage", null), 400, "next_token");
        assertError(call("GET", "/jobs?status=completed&limit=0", null), 400, "limit");
        assertError(call("GET", "/jobs?status=completed&limit=101", null), 400, "limit");
        assertError(call("GET", "/jobs?status=completed&limit=two", null), 400, "limit");
        assertError(call("GET", "/jobs?status=done", null), 400, "status");
        assertError(call("GET", "/jobs", null), 400, "status");

        // A token is bound to its caller too.
        PageTokens tokens = new PageTokens("key", mapper);
        String mine = tokens.issue("completed", "local", Map.of("job_id", AttributeValue.fromS(made.get(0))));
        assertThat(tokens.open(mine, "completed", "local")).containsKey("job_id");
        assertThatThrownBy(() -> tokens.open(mine, "completed", "someone-else")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> new PageTokens("other", mapper).open(mine, "completed", "local"))
                .isInstanceOf(ApiException.class);
    }

    @Test
    void aDeletedJobIsGoneAndItsObjectsAreRemoved() throws Exception {
        String jobId = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json().get("job_id").asText();
        String output = resources.names().outputBucket();
        s3.putObject(r -> r.bucket(output).key(OutputKeys.finalVideo(jobId)), RequestBody.fromString("final"));
        s3.putObject(r -> r.bucket(output).key(OutputKeys.hlsPrefix(jobId) + "master.m3u8"), RequestBody.fromString("#EXTM3U"));

        assertThat(call("DELETE", "/jobs/" + jobId, null).status()).isEqualTo(202);
        assertError(call("GET", "/jobs/" + jobId, null), 404, "no job");
        assertThat(listAll("in_progress", 100)).doesNotContain(jobId);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                s3.listObjectsV2(r -> r.bucket(output).prefix("jobs/" + jobId + "/")).keyCount() == 0);
        // Deleting again is harmless: 202, and the clean-up runs again.
        assertThat(call("DELETE", "/jobs/" + jobId, null).status()).isEqualTo(202);
        assertError(call("DELETE", "/jobs/nope", null), 400, "lowercase UUID");
        assertError(call("DELETE", "/jobs/" + JobIds.newId(), null), 404, "no job");
    }

    @Test
    void aJobThatFailedInReassemblyIsRetriedToCompletion() throws Exception {
        String jobId = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json().get("job_id").asText();
        assertError(call("POST", "/jobs/" + jobId + "/retry", null), 409, "only a failed job");
        assertError(call("POST", "/jobs/" + JobIds.newId() + "/retry", null), 404, "no job");
        assertError(call("POST", "/jobs/x/retry", null), 400, "lowercase UUID");

        // One segment, inferred and recorded; reassembly then failed.
        jobs.chunkingComplete(jobId, 1);
        s3.putObject(r -> r.bucket(resources.names().outputBucket()).key(OutputKeys.segment(jobId, 0)),
                RequestBody.fromFile(TestVideos.clip(4, 320, 240, true)));
        completions.record(new SegmentKey(jobId, 0, 1, Mode.SBS), OutputKeys.segment(jobId, 0));
        jobs.fail(jobId, FailurePhase.REASSEMBLY, "disk full");
        JsonNode failed = call("GET", "/jobs/" + jobId, null).json();
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("failure").get("phase").asText()).isEqualTo("reassembly");
        assertThat(failed.get("failure").get("reason").asText()).isEqualTo("disk full");

        Reply retried = call("POST", "/jobs/" + jobId + "/retry", null);
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.json().get("retried_phase").asText()).isEqualTo("reassembly");
        JsonNode done = awaitStatus(jobId, "completed");
        assertThat(done.has("failure")).isFalse();
        assertThat(done.get("final_url").asText()).contains("jobs/" + jobId + "/final.mp4");
        assertError(call("POST", "/jobs/" + jobId + "/retry", null), 409, "only a failed job");
    }

    @Test
    void aJobWhoseSourceCouldNotBeReadIsRetriedWithANewUpload() throws Exception {
        JsonNode upload = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json();
        String jobId = upload.get("job_id").asText();
        put(upload.get("upload"), HttpRequest.BodyPublishers.ofString("not a video"));
        JsonNode failed = awaitStatus(jobId, "failed");
        assertThat(failed.get("failure").get("phase").asText()).isIn("upload", "probe", "chunking");

        put(upload.get("upload"), HttpRequest.BodyPublishers.ofFile(TestVideos.clip(8, 320, 240, true)));
        Reply retried = call("POST", "/jobs/" + jobId + "/retry", null);
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.json().get("retried_phase").asText()).isEqualTo("chunking");
        JsonNode done = awaitStatus(jobId, "completed");
        assertThat(done.get("progress").get("segments_completed").asInt()).isEqualTo(2);
    }

    private void put(JsonNode upload, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.get("url").asText())).PUT(body);
        upload.get("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
        assertThat(http.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }

    private JsonNode awaitStatus(String jobId, String status) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode job = call("GET", "/jobs/" + jobId, null).json();
            if (!status.equals("failed") && "failed".equals(job.get("status").asText())) {
                throw new AssertionError("job failed: " + job.get("failure"));
            }
            return job;
        }, job -> status.equals(job.get("status").asText()));
    }

    private List<String> listAll(String status, int limit) throws Exception {
        List<String> ids = new ArrayList<>();
        String token = null;
        do {
            Reply page = call("GET", "/jobs?status=" + status + "&limit=" + limit + (token == null ? "" : "&next_token=" + token), null);
            assertThat(page.status()).isEqualTo(200);
            page.json().get("jobs").forEach(j -> ids.add(j.get("job_id").asText()));
            token = page.json().get("next_token").isNull() ? null : page.json().get("next_token").asText();
        } while (token != null);
        return ids;
    }

    private Reply call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? mapper.nullNode() : mapper.readTree(response.body());
        return new Reply(response.statusCode(), json, response);
    }

    private static void assertError(Reply reply, int status, String messagePart) {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).containsIgnoringCase(messagePart);
        assertThat(reply.raw().headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
    }
}
