package io.reelroute.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.Rendition;
import io.reelroute.contract.SourceKey;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaCommands.Frame;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The renditions pipeline with the mediaconvert packager, on the embedded default: CreateJob goes to a stand-in
 * for MediaConvert's REST API (no emulator has MediaConvert), which the test then plays: it makes the MP4s the
 * request asks for with ffmpeg, writes them where MediaConvert would, and sends the job state change event
 * EventBridge would bring. The job completes with those renditions, or fails with MediaConvert's reason.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.transcode.packager=mediaconvert",
    "reelroute.transcode.mediaconvert.role-arn=arn:aws:iam::123456789012:role/reelroute-mediaconvert"})
class RenditionsOnMediaConvertIT extends RouteTestSupport {

    private static final String JOBS = "/2017-08-29/jobs";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final WireMockServer MEDIACONVERT = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

    @TempDir
    Path dir;

    @DynamicPropertySource
    static void mediaConvert(DynamicPropertyRegistry registry) {
        if (!MEDIACONVERT.isRunning()) {
            MEDIACONVERT.start();
        }
        registry.add("reelroute.transcode.mediaconvert.endpoint", () -> "http://127.0.0.1:" + MEDIACONVERT.port());
    }

    @AfterAll
    static void stop() {
        MEDIACONVERT.stop();
    }

    @BeforeEach
    void acceptJobs() {
        MEDIACONVERT.resetAll();
        MEDIACONVERT.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"job\":{\"id\":\"1700000000000-rend01\",\"status\":\"SUBMITTED\"}}")));
    }

    @Test
    void mediaConvertMakesTheRenditionsAndTheJobCompletesWithThem() throws Exception {
        Path source = TestVideos.clip(4, 640, 360, true);
        String jobId = startJob("renditions", "{\"heights\": [360, 240, 1080], \"audio_kbps\": 96}", source);

        awaitHls(jobId, HlsStatus.SUBMITTED);
        Job submitted = jobs.find(jobId).orElseThrow();
        assertThat(submitted.status()).as("not complete before MediaConvert is").isNotEqualTo(JobStatus.COMPLETED);
        assertThat(submitted.posterKey()).isEqualTo(OutputKeys.poster(jobId));
        JsonNode request = onlyRequest();
        assertThat(request.path("userMetadata").path("job_id").asText()).isEqualTo(jobId);
        JsonNode settings = request.path("settings");
        assertThat(settings.path("inputs").get(0).path("fileInput").asText())
                .isEqualTo("s3://" + names().inputBucket() + "/" + SourceKey.keyFor(jobId));
        JsonNode fileGroup = settings.path("outputGroups").get(0);
        String destination = fileGroup.path("outputGroupSettings").path("fileGroupSettings").path("destination").asText();
        // 1080 is larger than the source: no upscale, two rungs.
        List<Frame> frames = new ArrayList<>();
        for (JsonNode output : fileGroup.path("outputs")) {
            frames.add(new Frame(output.path("videoDescription").path("width").asInt(), output.path("videoDescription").path("height").asInt()));
        }
        assertThat(frames).containsExactly(new Frame(640, 360), new Frame(426, 240));

        // MediaConvert's part: the files the request names, then the COMPLETE event.
        ArrayNode outputDetails = MAPPER.createArrayNode();
        for (int i = 0; i < frames.size(); i++) {
            Frame frame = frames.get(i);
            String name = fileGroup.path("outputs").get(i).path("nameModifier").asText();
            Path made = dir.resolve(name + ".mp4");
            ProcessRunner.Result result = ProcessRunner.run(MediaTools.bundled().ffmpeg(),
                    MediaCommands.mp4Rendition(source, made, frame, 28, 96, true), Duration.ofMinutes(2), dir.resolve(name + ".log"));
            assertThat(result.succeeded()).as(result.tail()).isTrue();
            String key = destination.substring(("s3://" + names().outputBucket() + "/").length()) + name + ".mp4";
            s3.putObject(r -> r.bucket(names().outputBucket()).key(key), RequestBody.fromFile(made));
            ObjectNode detail = outputDetails.addObject();
            detail.putArray("outputFilePaths").add("s3://" + names().outputBucket() + "/" + key);
            detail.put("durationInMs", 4000);
            detail.putObject("videoDetails").put("widthInPx", frame.width()).put("heightInPx", frame.height());
        }
        send(names().transcodeEventsQueue(), stateChange(jobId, "COMPLETE", """
                "outputGroupDetails": [
                  {"type": "FILE_GROUP", "outputDetails": %s},
                  {"type": "HLS_GROUP", "playlistFilePaths": ["s3://%s/jobs/%s/hls/master.m3u8"]}
                ]""".formatted(outputDetails, names().outputBucket(), jobId)));

        Job completed = awaitStatus(jobId, JobStatus.COMPLETED);
        assertThat(completed.renditions()).extracting(Rendition::width, Rendition::height)
                .containsExactly(tuple(640, 360), tuple(426, 240));
        assertThat(completed.renditions()).allSatisfy(rendition -> assertThat(rendition.bitrate()).isPositive());
        assertThat(completed.hls().status()).isEqualTo(HlsStatus.READY);
        assertThat(completed.hls().masterKey()).isEqualTo("jobs/" + jobId + "/hls/master.m3u8");
        Path finalVideo = download(OutputKeys.finalVideo(jobId), dir.resolve("final.mp4"));
        assertThat(TestVideos.videoSize(finalVideo)).as("the largest rendition").containsExactly(640, 360);
        // After completion, a packaging request is sent as for every job; it finds the package made and does nothing.
        awaitDrained(names().transcodeEventsQueue());
        assertThat(requests()).as("no second MediaConvert job").hasSize(1);
        assertThat(jobs.find(jobId).orElseThrow().hls().status()).isEqualTo(HlsStatus.READY);
    }

    @Test
    void aMediaConvertErrorFailsTheJobWithItsReason() throws Exception {
        String jobId = startJob("renditions", "{}", TestVideos.clip(2, 320, 240, true));
        awaitHls(jobId, HlsStatus.SUBMITTED);

        send(names().transcodeEventsQueue(), stateChange(jobId, "ERROR",
                "\"errorCode\": 1010, \"errorMessage\": \"Unable to open input file\""));

        Job failed = awaitFailed(jobId);
        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.TRANSCODE);
        assertThat(failed.failureReason()).isEqualTo("MediaConvert 1010: Unable to open input file");
    }

    @Test
    void aJobMediaConvertRefusesFailsAtOnce() throws Exception {
        MEDIACONVERT.resetAll();
        MEDIACONVERT.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"message\":\"/outputGroups/0/outputs/0: height must be even\"}")));
        String jobId = startJob("renditions", "{}", TestVideos.clip(2, 320, 240, true));

        Job failed = awaitFailed(jobId);
        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.TRANSCODE);
        assertThat(failed.failureReason()).contains("MediaConvert refused the job: 400").contains("height must be even");
        assertThat(requests()).as("a refusal is not retried").hasSize(1);
        assertNothingLeft();
    }

    private static String stateChange(String jobId, String status, String fields) {
        return """
                {"version": "0", "id": "%s", "detail-type": "MediaConvert Job State Change", "source": "aws.mediaconvert",
                 "account": "111122223333", "time": "2026-12-02T10:00:00Z", "region": "us-east-1", "resources": [],
                 "detail": {"timestamp": 1764669600000, "jobId": "1700000000000-rend01", "status": "%s",
                            "userMetadata": {"job_id": "%s", "made_from": "source"}, %s}}
                """.formatted(UUID.randomUUID(), status, jobId, fields);
    }

    private static List<JsonNode> requests() throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (var request : MEDIACONVERT.findAll(postRequestedFor(urlEqualTo(JOBS)))) {
            bodies.add(MAPPER.readTree(request.getBodyAsString()));
        }
        return bodies;
    }

    private static JsonNode onlyRequest() throws Exception {
        List<JsonNode> requests = requests();
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }
}
