package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Hop;
import io.reelroute.contract.HopRun;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.SourceKey;
import io.reelroute.jobs.JobFailures;
import io.reelroute.store.SegmentCompletionStore;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The job API over real HTTP, on the embedded emulators, with the pipeline running behind it. */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.sqs.visibility-timeout-seconds=4",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.inference.concurrent-consumers=2",
    "reelroute.retry-delay-ms=200",
    "reelroute.media.work-dir=target/test-work-api",
    "reelroute.api.event-poll=200ms",
    // Many jobs and event streams of one user, none of them about quotas (ApiOwnershipIT tests those).
    "reelroute.api.max-active-jobs-per-user=1000",
    "reelroute.api.job-creation-rate=1000",
    "reelroute.api.max-streams-per-user=100",
})
class JobApiIT extends RouteTestSupport {

    @LocalServerPort
    int port;
    @Autowired
    SegmentCompletionStore completions;
    @Autowired
    JobApi jobApi;
    @Autowired
    ServletWebServerApplicationContext web;
    @Autowired
    JobEvents jobEvents;
    @Autowired
    JobFailures jobFailures;
    @TempDir
    Path scratch;

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
        assertThat(job.json().get("pipeline").asText()).as("a mode alone is the stereo pipeline").isEqualTo("stereo");
        assertThat(job.json().get("format").asText()).as("sbs and anaglyph were the modes before formats").isEqualTo("anaglyph");
        assertThat(job.json().get("params").get("format").asText()).isEqualTo("anaglyph");
        assertThat(job.json().get("params").has("mode")).isFalse();
        assertThat(job.json().get("title").asText()).isEqualTo("Holiday");
        assertThat(job.json().get("eta_seconds").isNull()).isTrue();
        assertThat(job.json().has("failure")).isFalse();
        assertThat(job.raw().headers().firstValue("id")).isEmpty();

        assertError(call("POST", "/jobs", "{\"mode\": "), 400, "not valid JSON");
        assertError(call("POST", "/jobs", "[1]"), 400, "JSON object");
        assertError(call("POST", "/jobs", "{\"mode\": \"3d\"}"), 400, "params.mode");
        assertError(call("POST", "/jobs", "{\"pipeline\": \"stereo\", \"params\": {\"mode\": \"3d\"}}"), 400,
                "params.mode");
        assertError(call("POST", "/jobs", "{\"params\": {\"depth\": 3}}"), 400, "params.depth");
        assertError(call("POST", "/jobs", "{\"params\": \"sbs\"}"), 400, "params must be a JSON object");
        assertError(call("POST", "/jobs", "{\"pipeline\": \"karaoke\"}"), 400, "unknown pipeline 'karaoke'");
        assertError(call("POST", "/jobs", "{\"pipeline\": 3}"), 400, "pipeline must be a string");
        assertError(call("POST", "/jobs", "{\"mode\": \"sbs\", \"params\": {\"mode\": \"anaglyph\"}}"), 400, "differ");
        assertError(call("POST", "/jobs", "{\"params\": {\"mode\": \"sbs\", \"format\": \"half-tb\"}}"), 400,
                "mode sbs and format half-tb differ");
        assertError(call("POST", "/jobs", "{\"params\": {\"divergence\": -1}}"), 400, "params.divergence");
        assertError(call("POST", "/jobs", "{\"params\": {\"anaglyph_method\": \"green\"}}"), 400, "params.anaglyph_method");
        assertError(call("POST", "/jobs", "{\"params\": {\"depth_model\": \"MiDaS\"}}"), 400, "params.depth_model");
        assertError(call("POST", "/jobs", "{\"params\": {\"encoder\": \"av1\"}}"), 400, "params.encoder");
        assertError(call("POST", "/jobs", "{\"params\": {\"overlap_seconds\": 3, \"segment_seconds\": 4}}"), 400,
                "params.overlap_seconds: must be at most half of segment_seconds");
        assertError(call("POST", "/jobs", "{\"mode\": \"sbs\", \"title\": \"" + "t".repeat(201) + "\"}"), 400,
                "longer than 200");
    }

    /**
     * Preview before the full run: a held job waits after its upload; its preview runs a few clips through the
     * model with other params, playable at once and never counted as output; then it starts with the chosen params.
     */
    @Test
    void aHeldJobIsPreviewedThenStartedWithTheChosenParams() throws Exception {
        Reply created = call("POST", "/jobs", "{\"hold\": true, \"title\": \"Pier\"}");
        String jobId = created.json().get("job_id").asText();
        assertError(call("POST", "/jobs/" + jobId + "/preview", "{}"), 409, "no uploaded source");
        put(created.json().get("upload"), HttpRequest.BodyPublishers.ofFile(TestVideos.clip(12, 320, 240, true)));
        // The upload event comes and goes: the job stays held.
        await().atMost(PATIENCE).until(() -> count("reelroute.messages.dropped", "hop", "upload-event",
                "reason", "job-past-chunking") > 0 && jobs.find(jobId).orElseThrow().held());
        assertThat(call("GET", "/jobs/" + jobId, null).json().get("status").asText()).isEqualTo("created");

        Reply previewed = call("POST", "/jobs/" + jobId + "/preview",
                "{\"params\": {\"format\": \"full-tb\"}, \"samples\": 2, \"seconds\": 2}");
        assertThat(previewed.status()).isEqualTo(202);
        JsonNode preview = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(
                () -> call("GET", "/jobs/" + jobId, null).json().get("preview"), p -> !"running".equals(p.get("status").asText()));
        assertThat(preview.get("status").asText()).as(preview.toString()).isEqualTo("ready");
        assertThat(preview.get("clips")).hasSize(2);
        Path clip = scratch.resolve(jobId + "-preview.mp4");
        http.send(HttpRequest.newBuilder(URI.create(preview.get("clips").get(1).get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofFile(clip));
        assertThat(TestVideos.videoSize(clip)).as("full top-bottom of 320x240").containsExactly(320, 480);
        assertThat(TestVideos.durationSeconds(clip)).isLessThan(4.0);
        Job held = jobs.find(jobId).orElseThrow();
        assertThat(held.status()).isEqualTo(JobStatus.CREATED);
        assertThat(held.totalSegments()).as("the clips are no segments of the job").isNull();
        assertThat(held.completedSegments()).isZero();
        assertError(call("POST", "/jobs/" + jobId + "/preview", "{\"samples\": 9}"), 400, "samples");

        Reply started = call("POST", "/jobs/" + jobId + "/start", "{\"params\": {\"format\": \"half-sbs\"}}");
        assertThat(started.status()).isEqualTo(202);
        JsonNode done = awaitShown(jobId, "completed");
        assertThat(done.get("params").get("format").asText()).isEqualTo("half-sbs");
        assertThat(done.has("held")).isFalse();
        assertThat(done.get("progress").get("segments_total").asInt()).isEqualTo(3);
        assertThat(done.get("final_file_name").asText()).isEqualTo("Pier_LR.mp4");
        Path download = scratch.resolve(jobId + "-final.mp4");
        http.send(HttpRequest.newBuilder(URI.create(done.get("final_url").asText())).build(), HttpResponse.BodyHandlers.ofFile(download));
        assertThat(TestVideos.videoSize(download)).containsExactly(320, 240);
        assertThat(TestVideos.stereoMode(download)).isEqualTo("left_right");
        assertThat(TestVideos.durationSeconds(download)).isCloseTo(12.0, within(0.5));
        assertError(call("POST", "/jobs/" + jobId + "/start", "{}"), 409, "not held");
    }

    /** Another format and strength from the same source: a new job, no second upload. */
    @Test
    void aJobIsRenderedAgainWithOtherParamsFromTheSameSource() throws Exception {
        Reply created = call("POST", "/jobs", "{\"params\": {\"divergence\": 4}, \"title\": \"Harbour\"}");
        String first = created.json().get("job_id").asText();
        put(created.json().get("upload"), HttpRequest.BodyPublishers.ofFile(TestVideos.clip(4, 320, 240, true)));
        awaitShown(first, "completed");

        Reply again = call("POST", "/jobs/" + first + "/rerender", "{\"params\": {\"format\": \"half-tb\"}}");

        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().get("rerender_of").asText()).isEqualTo(first);
        String second = again.json().get("job_id").asText();
        assertThat(second).isNotEqualTo(first);
        JsonNode job = awaitShown(second, "completed");
        assertThat(job.get("rerender_of").asText()).isEqualTo(first);
        assertThat(job.get("title").asText()).isEqualTo("Harbour");
        assertThat(job.get("params").get("format").asText()).isEqualTo("half-tb");
        assertThat(job.get("params").get("divergence").asDouble()).as("kept from the first job").isEqualTo(4.0);
        assertThat(job.get("final_file_name").asText()).isEqualTo("Harbour_TB.mp4");
        Path download = scratch.resolve(second + "-final.mp4");
        http.send(HttpRequest.newBuilder(URI.create(job.get("final_url").asText())).build(), HttpResponse.BodyHandlers.ofFile(download));
        assertThat(TestVideos.videoSize(download)).as("half top-bottom of 320x240").containsExactly(320, 240);
        assertThat(TestVideos.stereoMode(download)).isEqualTo("top_bottom");

        assertError(call("POST", "/jobs/" + first + "/rerender", "{\"params\": {\"divergence\": 40}}"), 400, "params.divergence");
        assertError(call("POST", "/jobs/" + JobIds.newId() + "/rerender", "{}"), 404, "no job");
        String noSource = call("POST", "/jobs", "{}").json().get("job_id").asText();
        assertError(call("POST", "/jobs/" + noSource + "/rerender", "{}"), 409, "no uploaded source");
    }

    @Test
    void aJobNamesItsPipelineAndParamsAndGetsTheSchemasDefaults() throws Exception {
        Reply pipelines = call("GET", "/pipelines", null);
        assertThat(pipelines.status()).isEqualTo(200);
        assertThat(pipelines.json().get("default").asText()).isEqualTo("stereo");
        JsonNode stereo = null;
        for (JsonNode pipeline : pipelines.json().get("pipelines")) {
            stereo = "stereo".equals(pipeline.get("name").asText()) ? pipeline : stereo;
        }
        assertThat(stereo).as("the stereo pipeline is listed").isNotNull();
        assertThat(stereo.at("/params_schema/properties/format/enum")).hasSize(6);
        assertThat(stereo.at("/params_schema/properties/format/default").asText()).isEqualTo("full-sbs");
        assertThat(stereo.at("/params_schema/properties/depth_model/enum").toString()).contains("Any_V2_S");

        String explicit = call("POST", "/jobs", "{\"pipeline\": \"stereo\", \"params\": {\"mode\": \"anaglyph\"}}")
                .json().get("job_id").asText();
        assertThat(jobs.find(explicit).orElseThrow().mode()).isEqualTo(Mode.ANAGLYPH);
        assertThat(jobs.find(explicit).orElseThrow().params().text("format")).isEqualTo("anaglyph");
        Reply bare = call("POST", "/jobs", "{\"title\": \"defaults\"}");
        assertThat(bare.status()).isEqualTo(201);
        JsonNode job = call("GET", "/jobs/" + bare.json().get("job_id").asText(), null).json();
        assertThat(job.get("pipeline").asText()).isEqualTo("stereo");
        assertThat(job.get("params")).isEqualTo(mapper.readTree("""
                {"format": "full-sbs", "anaglyph_method": "dubois", "divergence": 2, "convergence": 0.5,
                 "depth_model": "Any_V2_S", "max_fps": 30, "encoder": "h264", "segment_seconds": 4,
                 "snap_to_scenes": false, "overlap_seconds": 0, "crf": 20}"""));
    }

    @Test
    void aJobStartedByAnUploadAloneBelongsToTheLocalUserAndIsListed() throws Exception {
        String jobId = JobIds.newId();
        upload(SourceKey.keyFor(jobId), "not a video".getBytes());

        Job job = awaitFailed(jobId);
        assertThat(job.owner()).isEqualTo(ApiAuth.LOCAL_SUBJECT);
        assertThat(job.pipeline()).isEqualTo("stereo");
        assertThat(job.mode()).isEqualTo(Mode.SBS);
        Reply shown = call("GET", "/jobs/" + jobId, null);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().at("/failure/phase").asText()).isEqualTo("probe");
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
    void theApiIsDocumentedBesideTheProbes() throws Exception {
        Reply doc = call("GET", "/api-doc", null);
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.json().get("paths").has("/jobs")).isTrue();
        assertThat(doc.json().get("paths").has("/jobs/{id}")).isTrue();
        assertThat(doc.json().get("paths").has("/jobs/{id}/retry")).isTrue();
        assertThat(doc.json().get("paths").has("/jobs/{id}/upload-parts")).isTrue();
        assertThat(doc.json().get("paths").has("/jobs/{id}/complete-upload")).isTrue();
        assertThat(doc.json().get("paths").has("/jobs/{id}/events")).isTrue();
        assertThat(doc.json().get("paths").has("/jobs/{id}/playback")).isTrue();
        // Beside the API: the probes (their verdict depends on the pipeline's state), not the actuator, which has
        // a port of its own.
        Reply health = call("GET", "/readyz", null);
        assertThat(health.status()).isIn(200, 503);
        assertThat(health.json().has("status")).isTrue();
        assertThat(call("GET", "/actuator/health", null).status()).isEqualTo(404);
    }

    @Test
    void anUploadThroughThePresignedUrlIsTakenToCompletion() throws Exception {
        Reply created = call("POST", "/jobs", "{\"mode\": \"sbs\"}");
        String jobId = created.json().get("job_id").asText();
        assertThat(listAll("in_progress", 100)).contains(jobId);
        // More watchers than the HTTP executor has core threads: the API must keep answering meanwhile.
        List<CompletableFuture<List<Event>>> watchers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            watchers.add(events(jobId));
        }
        assertError(call("GET", "/jobs/" + jobId + "/playback", null), 409, "no HLS package ready");

        put(created.json().get("upload"), HttpRequest.BodyPublishers.ofFile(TestVideos.clip(8, 320, 240, true)));

        JsonNode job = awaitShown(jobId, "completed");
        assertThat(job.get("progress").get("segments_completed").asInt()).isEqualTo(2);
        assertThat(job.get("progress").get("segments_total").asInt()).isEqualTo(2);
        assertThat(job.get("completed_at").asText()).isNotEmpty();
        assertThat(job.get("eta_seconds").asLong()).isZero();
        Path download = scratch.resolve(jobId + "-final.mp4");
        HttpResponse<Path> got = http.send(HttpRequest.newBuilder(URI.create(job.get("final_url").asText())).build(),
                HttpResponse.BodyHandlers.ofFile(download));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(TestVideos.videoSize(download)).containsExactly(640, 240);
        // Saved under a name 3D players read the format from.
        assertThat(job.get("format").asText()).isEqualTo("full-sbs");
        assertThat(job.get("final_file_name").asText()).isEqualTo(jobId + "_LRF_Full_SBS.mp4");
        assertThat(got.headers().firstValue("Content-Disposition")).hasValue(
                "attachment; filename=\"" + jobId + "_LRF_Full_SBS.mp4\"; filename*=UTF-8''" + jobId + "_LRF_Full_SBS.mp4");
        assertThat(listAll("in_progress", 100)).doesNotContain(jobId);
        assertThat(listAll("completed", 100)).contains(jobId);

        // Every watcher saw the job go forward to its end: HLS ready, then "end".
        for (CompletableFuture<List<Event>> watcher : watchers) {
            List<Event> seen = watcher.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(seen.get(seen.size() - 1).name()).isEqualTo("end");
            assertThat(seen.get(seen.size() - 1).data().get("status").asText()).isEqualTo("completed");
            List<JsonNode> states = seen.stream().filter(e -> e.name().equals("job")).map(Event::data).toList();
            assertThat(states.get(0).get("job_id").asText()).isEqualTo(jobId);
            JsonNode last = states.get(states.size() - 1);
            assertThat(last.get("status").asText()).isEqualTo("completed");
            assertThat(last.get("hls_status").asText()).isEqualTo("ready");
            List<Integer> done = states.stream().map(j -> j.get("progress").get("segments_completed").asInt()).toList();
            assertThat(done).isSorted().contains(2);
            assertThat(states.stream().map(j -> j.get("status").asText()).distinct().count()).isGreaterThanOrEqualTo(2);
        }
        // The server closes its side just after the client has read the end.
        await().atMost(Duration.ofSeconds(10)).until(() -> jobEvents.openStreams() == 0);

        // Playback on the embedded default: the application serves the package, to its owner.
        Reply playback = call("GET", "/jobs/" + jobId + "/playback", null);
        assertThat(playback.status()).isEqualTo(200);
        assertThat(playback.json().get("delivery").asText()).isEqualTo("application");
        String master = playback.json().get("url").asText();
        assertThat(master).isEqualTo("/media/" + jobId + "/master.m3u8");
        HttpResponse<String> masterPlaylist = get(master);
        assertThat(masterPlaylist.statusCode()).isEqualTo(200);
        assertThat(masterPlaylist.headers().firstValue("Content-Type")).hasValue("application/vnd.apple.mpegurl");
        assertThat(masterPlaylist.body()).startsWith("#EXTM3U");
        String variant = masterPlaylist.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst().orElseThrow();
        String variantBase = master.substring(0, master.lastIndexOf('/') + 1) + variant.substring(0, variant.lastIndexOf('/') + 1);
        HttpResponse<String> variantPlaylist = get(master.substring(0, master.lastIndexOf('/') + 1) + variant);
        assertThat(variantPlaylist.statusCode()).isEqualTo(200);
        String segment = variantPlaylist.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst().orElseThrow();
        HttpResponse<byte[]> media = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + variantBase + segment)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(media.statusCode()).isEqualTo(200);
        assertThat(media.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("video/"));
        assertThat(media.body().length).isGreaterThan(1000);
        assertThat(get("/media/" + jobId + "/v0/../master.m3u8").statusCode()).isIn(400, 404);
        assertThat(get("/media/" + jobId + "/nothing.m3u8").statusCode()).isEqualTo(404);
        assertThat(get("/media/" + JobIds.newId() + "/master.m3u8").statusCode()).isEqualTo(404);
        assertThat(get("/media/not-a-job/master.m3u8").statusCode()).isEqualTo(400);
    }

    @Test
    void aLargeSourceIsUploadedInPartsThroughPresignedUrls() throws Exception {
        String jobId = call("POST", "/jobs", "{\"mode\": \"anaglyph\"}").json().get("job_id").asText();
        String parts = "/jobs/" + jobId + "/upload-parts";
        String complete = "/jobs/" + jobId + "/complete-upload";
        assertError(call("POST", parts, "{\"parts\": 0}"), 400, "parts must be");
        assertError(call("POST", parts, "{\"parts\": \"2\"}"), 400, "parts must be");
        assertError(call("POST", parts, "{\"parts\": 10001}"), 400, "parts must be");
        assertError(call("POST", parts, "parts"), 400, "not valid JSON");
        assertError(call("POST", "/jobs/" + JobIds.newId() + "/upload-parts", "{\"parts\": 2}"), 404, "no job");

        Reply first = call("POST", parts, "{\"parts\": 2}");
        assertThat(first.status()).isEqualTo(201);
        String uploadId = first.json().get("upload_id").asText();
        assertThat(first.json().get("parts")).hasSize(2);
        assertThat(first.json().get("min_part_bytes").asLong()).isEqualTo(5L * 1024 * 1024);
        byte[] source = Files.readAllBytes(TestVideos.clip(8, 1280, 720, true));
        int cut = 5 * 1024 * 1024;
        assertThat(source.length).isGreaterThan(cut);
        String etag1 = putPart(first.json().get("parts").get(0), Arrays.copyOfRange(source, 0, cut));
        // Asking again for the same upload gives fresh URLs for it (e.g. after the first ones expired).
        Reply again = call("POST", parts, "{\"parts\": 2, \"upload_id\": \"" + uploadId + "\"}");
        assertThat(again.json().get("upload_id").asText()).isEqualTo(uploadId);
        String etag2 = putPart(again.json().get("parts").get(1), Arrays.copyOfRange(source, cut, source.length));

        assertError(call("POST", complete, "{\"parts\": []}"), 400, "upload_id is required");
        assertError(call("POST", complete, "{\"upload_id\": \"" + uploadId + "\", \"parts\": []}"), 400, "parts must list");
        assertError(call("POST", complete, completion(uploadId, List.of(2, 1), List.of(etag2, etag1))), 400, "ascending");
        assertError(call("POST", complete, completion(uploadId, List.of(1, 2), List.of(etag1, "\"0123\""))), 400,
                "S3 did not complete");
        assertThat(jobs.find(jobId).orElseThrow().status().wireName()).isEqualTo("created");

        Reply done = call("POST", complete, completion(uploadId, List.of(1, 2), List.of(etag1, etag2)));
        assertThat(done.status()).as(done.raw().body()).isEqualTo(200);
        assertThat(s3.headObject(r -> r.bucket(names().inputBucket()).key("input/" + jobId + "/source.mp4"))
                .contentLength()).isEqualTo(source.length);
        JsonNode job = awaitShown(jobId, "completed");
        assertThat(job.get("progress").get("segments_total").asInt()).isEqualTo(2);
        assertError(call("POST", parts, "{\"parts\": 1}"), 409, "completed");
    }

    @Test
    void eventStreamsAndPlaybackRefuseWhatTheyCannotServe() throws Exception {
        assertError(call("GET", "/jobs/nope/events", null), 400, "lowercase UUID");
        assertError(call("GET", "/jobs/" + JobIds.newId() + "/events", null), 404, "no job");
        assertError(call("GET", "/jobs/" + JobIds.newId() + "/playback", null), 404, "no job");
        // A failed job's stream says so at once and ends.
        String jobId = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json().get("job_id").asText();
        jobs.fail(jobId, FailurePhase.PROBE, "not a video");
        List<Event> seen = events(jobId).get(30, TimeUnit.SECONDS);
        assertThat(seen).extracting(Event::name).containsExactly("job", "end");
        assertThat(seen.get(0).data().get("failure").get("reason").asText()).isEqualTo("not a video");
        assertThat(seen.get(1).data().get("status").asText()).isEqualTo("failed");
        // A deleted job's stream ends with "deleted".
        String other = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json().get("job_id").asText();
        CompletableFuture<List<Event>> watcher = events(other);
        await().atMost(Duration.ofSeconds(10)).until(() -> jobEvents.openStreams() > 0);
        call("DELETE", "/jobs/" + other, null);
        List<Event> ended = watcher.get(30, TimeUnit.SECONDS);
        assertThat(ended.get(ended.size() - 1).data().get("status").asText()).isEqualTo("deleted");
    }

    @Test
    void cloudFrontSignedCookiesCoverExactlyTheJobsPackage() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        Path pem = scratch.resolve("cloudfront-key.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        HlsPlayback cloudFront = new HlsPlayback(jobApi, s3, names().outputBucket(),
                new ReelRouteProperties.Api.Playback("d111111abcdef8.cloudfront.net", "K2JCJMDEHXQW5F", pem.toString(),
                        ".example.com", Duration.ofHours(2)), Clock.fixed(now, ZoneOffset.UTC));
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS, "local", null);
        jobs.complete(jobId);
        assertThatThrownBy(() -> cloudFront.playback(jobId, "local")).isInstanceOf(ApiException.class)
                .hasMessageContaining("no HLS package ready");
        jobs.hlsSubmitted(jobId, "mc-1");
        jobs.hlsReady(jobId, OutputKeys.hlsPrefix(jobId) + "master.m3u8");
        assertThatThrownBy(() -> cloudFront.playback(jobId, "someone-else")).isInstanceOf(ApiException.class)
                .hasMessageContaining("no job");

        ApiResponse answer = cloudFront.playback(jobId, "local");
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) answer.body();
        String base = "https://d111111abcdef8.cloudfront.net/jobs/" + jobId + "/hls/";
        assertThat(body.get("url")).isEqualTo(base + "master.m3u8");
        assertThat(body.get("expires_at")).isEqualTo("2026-11-23T14:00:00Z");
        @SuppressWarnings("unchecked")
        Map<String, String> cookies = (Map<String, String>) body.get("cookies");
        assertThat(cookies.get("CloudFront-Key-Pair-Id")).isEqualTo("K2JCJMDEHXQW5F");
        // CloudFront's base64: + = / become - _ ~.
        byte[] policy = Base64.getDecoder().decode(cloudFrontBase64(cookies.get("CloudFront-Policy")));
        JsonNode statement = mapper.readTree(policy).get("Statement").get(0);
        assertThat(statement.get("Resource").asText()).isEqualTo(base + "*");
        assertThat(statement.get("Condition").get("DateLessThan").get("AWS:EpochTime").asLong())
                .isEqualTo(now.plus(Duration.ofHours(2)).getEpochSecond());
        Signature verify = Signature.getInstance("SHA1withRSA");
        verify.initVerify(pair.getPublic());
        verify.update(policy);
        assertThat(verify.verify(Base64.getDecoder().decode(cloudFrontBase64(cookies.get("CloudFront-Signature"))))).isTrue();
        assertThat(answer.cookies()).hasSize(3).allSatisfy(c -> assertThat(c)
                .contains("; Path=/jobs/" + jobId + "/hls/", "; Domain=.example.com", "; Secure", "; HttpOnly", "; SameSite=None",
                        "; Expires=Mon, 23 Nov 2026 14:00:00 GMT"));

        assertThatThrownBy(() -> new HlsPlayback(jobApi, s3, "b",
                new ReelRouteProperties.Api.Playback("d1.cloudfront.net", null, null, null, Duration.ofHours(1)), Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("key-pair-id");
    }

    private static String cloudFrontBase64(String value) {
        return value.replace('-', '+').replace('_', '=').replace('~', '/');
    }

    record Event(String name, JsonNode data) {
    }

    /** Reads GET /jobs/{id}/events to its end, in the background. */
    private CompletableFuture<List<Event>> events(String jobId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs/" + jobId + "/events")).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenApply(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            List<Event> seen = new ArrayList<>();
            String[] name = {null};
            response.body().forEach(line -> {
                if (line.startsWith("event: ")) {
                    name[0] = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    try {
                        seen.add(new Event(name[0], mapper.readTree(line.substring(6))));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            return seen;
        });
    }

    private String putPart(JsonNode part, byte[] bytes) throws Exception {
        HttpResponse<Void> put = http.send(HttpRequest.newBuilder(URI.create(part.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(put.statusCode()).isEqualTo(200);
        return put.headers().firstValue("ETag").orElseThrow();
    }

    private String completion(String uploadId, List<Integer> numbers, List<String> etags) throws Exception {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (int i = 0; i < numbers.size(); i++) {
            parts.add(Map.of("part_number", numbers.get(i), "etag", etags.get(i)));
        }
        return mapper.writeValueAsString(Map.of("upload_id", uploadId, "parts", parts));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void completedJobsArePagedNewestFirstWithSealedTokens() throws Exception {
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
        // A character in the middle: the last one may carry only padding bits that decoding ignores.
        int at = issued.length() / 2;
        String tampered = issued.substring(0, at) + (issued.charAt(at) == 'A' ? 'B' : 'A') + issued.substring(at + 1);
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

    /**
     * Without authentication every caller is the local user, so on the embedded default the API takes connections
     * from this machine only: the server is bound to 127.0.0.1, and the machine's other addresses are refused.
     */
    @Test
    void theEmbeddedDefaultWithoutAuthenticationListensOnLoopbackOnly() throws Exception {
        InetAddress bound = (InetAddress) ((TomcatWebServer) web.getWebServer()).getTomcat().getConnector().getProperty("address");
        assertThat(bound).isNotNull();
        assertThat(bound.isLoopbackAddress()).isTrue();
        assertThat(call("GET", "/pipelines", null).status()).isEqualTo(200);
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        if (external.isPresent()) {
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(new InetSocketAddress(external.get(), port), 1_000))
                        .as("a connection to %s:%d", external.get(), port).isInstanceOf(IOException.class);
            }
        }
    }

    /** The caller's failed jobs, the latest to fail first, each with why it failed; retried ones leave the list. */
    @Test
    void failedJobsAreListedWithTheirFailure() throws Exception {
        String older = JobIds.newId();
        jobs.createIfAbsent(older, Mode.SBS, "local", "older");
        jobs.fail(older, FailurePhase.PROBE, "the source is not a video");
        Thread.sleep(5);
        String newer = JobIds.newId();
        jobs.createIfAbsent(newer, Mode.SBS, "local", "newer");
        // As the error policy fails a job: the tool's output goes along as the detail.
        jobFailures.fail(newer, new PermanentJobFailure(FailurePhase.CHUNKING, "ffmpeg could not cut the source",
                "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5f] moov atom not found"));
        String deleted = JobIds.newId();
        jobs.createIfAbsent(deleted, Mode.SBS, "local", "deleted");
        jobs.fail(deleted, FailurePhase.PROBE, "not a video");
        assertThat(call("DELETE", "/jobs/" + deleted, null).status()).isEqualTo(202);
        String stranger = JobIds.newId();
        jobs.createIfAbsent(stranger, Mode.SBS, "someone-else", null);
        jobs.fail(stranger, FailurePhase.PROBE, "not a video");
        String completed = JobIds.newId();
        jobs.createIfAbsent(completed, Mode.SBS, "local", "completed");
        jobs.complete(completed);

        List<String> failed = listAll("failed", 1);
        assertThat(failed).contains(newer, older).doesNotContain(deleted, stranger, completed);
        assertThat(failed.indexOf(newer)).as("the latest to fail first").isLessThan(failed.indexOf(older));
        assertThat(listAll("completed", 100)).contains(completed).doesNotContain(newer, older);
        assertThat(listAll("in_progress", 100)).doesNotContain(newer, older);

        Reply page = call("GET", "/jobs?status=failed&limit=100", null);
        assertThat(page.status()).isEqualTo(200);
        JsonNode shown = listed(page, newer);
        assertThat(shown.get("status").asText()).isEqualTo("failed");
        assertThat(shown.get("title").asText()).isEqualTo("newer");
        assertThat(shown.get("completed_at").asText()).as("when it ended").isNotEmpty();
        assertThat(shown.at("/failure/phase").asText()).isEqualTo("chunking");
        assertThat(shown.at("/failure/reason").asText()).isEqualTo("ffmpeg could not cut the source");
        assertThat(shown.at("/failure/detail").asText()).isEqualTo("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5f] moov atom not found");
        JsonNode plain = listed(page, older);
        assertThat(plain.at("/failure/reason").asText()).isEqualTo("the source is not a video");
        assertThat(plain.get("failure").has("detail")).as("no detail was given").isFalse();
        assertThat(call("GET", "/jobs/" + newer, null).json().at("/failure/detail").asText()).contains("moov atom");

        String token = call("GET", "/jobs?status=failed&limit=1", null).json().get("next_token").asText();
        assertThat(call("GET", "/jobs?status=failed&limit=1&next_token=" + token, null).status()).isEqualTo(200);
        assertError(call("GET", "/jobs?status=completed&limit=1&next_token=" + token, null), 400, "another listing");
        assertError(call("GET", "/jobs?status=FAILED", null), 400, "completed, in_progress or failed");
        assertError(call("GET", "/jobs?status=done", null), 400, "completed, in_progress or failed");

        // A retry puts the job back to work: it leaves the failed list.
        assertThat(jobs.resetFailed(older, JobStatus.CREATED)).isTrue();
        assertThat(listAll("failed", 100)).contains(newer).doesNotContain(older);
        assertThat(listAll("in_progress", 100)).contains(older);
    }

    private static JsonNode listed(Reply page, String jobId) {
        for (JsonNode job : page.json().get("jobs")) {
            if (job.get("job_id").asText().equals(jobId)) {
                return job;
            }
        }
        throw new AssertionError("job " + jobId + " is not listed in " + page.json());
    }

    @Test
    void aDeletedJobIsGoneAndItsObjectsAreRemoved() throws Exception {
        String jobId = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json().get("job_id").asText();
        String output = names().outputBucket();
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

    /** The timeline's segments come a page at a time, from segments_from on; listings leave the timeline out. */
    @Test
    void theTimelinesSegmentsArePagedFromTheIndexAsked() throws Exception {
        String jobId = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json().get("job_id").asText();
        assertThat(call("GET", "/jobs/" + jobId, null).json().get("timeline").get("segments")).isEmpty();
        jobs.chunkingComplete(jobId, 3);
        for (int index = 0; index < 3; index++) {
            completions.record(new SegmentKey(jobId, index, Mode.SBS), OutputKeys.segment(jobId, index),
                    new HopRun(Hop.INFERENCE, Instant.now(), Duration.ofMillis(12), 1));
        }

        JsonNode timeline = call("GET", "/jobs/" + jobId + "?segments_from=1", null).json().get("timeline");
        assertThat(timeline.get("segments")).extracting(s -> s.get("index").asInt()).containsExactly(1, 2);
        assertThat(timeline.get("segments").get(0).get("queue_wait_ms").asLong()).isEqualTo(12);
        assertThat(timeline.get("segments").get(0).get("attempts").asInt()).isEqualTo(1);
        assertThat(timeline.get("segments_next").isNull()).isTrue();
        assertThat(call("GET", "/jobs/" + jobId, null).json().get("timeline").get("segments")).hasSize(3);
        assertError(call("GET", "/jobs/" + jobId + "?segments_from=-1", null), 400, "segments_from");
        assertError(call("GET", "/jobs/" + jobId + "?segments_from=x", null), 400, "segments_from");
        assertThat(call("GET", "/jobs?status=in_progress", null).json().get("jobs")).allMatch(job -> !job.has("timeline"));
    }

    @Test
    void aJobThatFailedInReassemblyIsRetriedToCompletion() throws Exception {
        String jobId = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json().get("job_id").asText();
        assertError(call("POST", "/jobs/" + jobId + "/retry", null), 409, "only a failed job");
        assertError(call("POST", "/jobs/" + JobIds.newId() + "/retry", null), 404, "no job");
        assertError(call("POST", "/jobs/x/retry", null), 400, "lowercase UUID");

        // One segment, inferred and recorded; reassembly then failed.
        jobs.chunkingComplete(jobId, 1);
        s3.putObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.segment(jobId, 0)),
                RequestBody.fromFile(TestVideos.clip(4, 320, 240, true)));
        completions.record(new SegmentKey(jobId, 0, Mode.SBS), OutputKeys.segment(jobId, 0));
        jobs.fail(jobId, FailurePhase.REASSEMBLY, "disk full");
        JsonNode failed = call("GET", "/jobs/" + jobId, null).json();
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("failure").get("phase").asText()).isEqualTo("reassembly");
        assertThat(failed.get("failure").get("reason").asText()).isEqualTo("disk full");

        Reply retried = call("POST", "/jobs/" + jobId + "/retry", null);
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.json().get("retried_phase").asText()).isEqualTo("reassembly");
        JsonNode done = awaitShown(jobId, "completed");
        assertThat(done.has("failure")).isFalse();
        assertThat(done.get("final_url").asText()).contains("jobs/" + jobId + "/final.mp4");
        assertError(call("POST", "/jobs/" + jobId + "/retry", null), 409, "only a failed job");
    }

    @Test
    void aJobWhoseSourceCouldNotBeReadIsRetriedWithANewUpload() throws Exception {
        JsonNode upload = call("POST", "/jobs", "{\"mode\": \"sbs\"}").json();
        String jobId = upload.get("job_id").asText();
        put(upload.get("upload"), HttpRequest.BodyPublishers.ofString("not a video"));
        JsonNode failed = awaitShown(jobId, "failed");
        assertThat(failed.get("failure").get("phase").asText()).isIn("upload", "probe", "chunking");

        put(upload.get("upload"), HttpRequest.BodyPublishers.ofFile(TestVideos.clip(8, 320, 240, true)));
        Reply retried = call("POST", "/jobs/" + jobId + "/retry", null);
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.json().get("retried_phase").asText()).isEqualTo("chunking");
        JsonNode done = awaitShown(jobId, "completed");
        assertThat(done.get("progress").get("segments_completed").asInt()).isEqualTo(2);
    }

    private void put(JsonNode upload, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.get("url").asText())).PUT(body);
        upload.get("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
        assertThat(http.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }

    /** Waits until GET /jobs/{id} shows the status; a job that fails meanwhile fails the test with its failure. */
    private JsonNode awaitShown(String jobId, String status) {
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
