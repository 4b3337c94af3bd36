package io.reelroute.transcode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.Params;
import io.reelroute.media.MediaCommands.Frame;
import io.reelroute.media.MediaTools;
import io.reelroute.media.RemoteMedia;
import io.reelroute.pipelines.Pipelines;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.mediaconvert.MediaConvertClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The CreateJob request that leaves the process, against a stand-in for MediaConvert's REST API
 * ({@code POST /2017-08-29/jobs}) and a real MediaConvertClient with the SDK's standard retries (short backoff).
 * The job settings come from the template the application ships, {@code routes/mediaconvert-job.json}.
 */
class MediaConvertSubmitterTest {

    private static final String JOBS = "/2017-08-29/jobs";
    private static final String BUCKET = "reelroute-output";
    private static final String ROLE = "arn:aws:iam::123456789012:role/reelroute-mediaconvert";
    private static final String QUEUE = "arn:aws:mediaconvert:us-east-1:123456789012:queues/reelroute";
    private static final Path TEMPLATE = Path.of("routes", "mediaconvert-job.json");
    private static final Path RENDITIONS_TEMPLATE = Path.of("routes", "pipelines", "renditions", "renditions.mediaconvert-job.json");
    private static final String JOB = "6f1c2a4e-8b3d-4e5f-9a7b-1c2d3e4f5a6b";
    private static final String OTHER_JOB = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private static final String MEDIACONVERT_JOB = "1700000000000-abc123";

    /** What ffprobe reads in TestVideos.multiTrackClip: English, French titled Commentary, and English subtitles. */
    private static final PackageTracks TWO_TRACKS_AND_SUBTITLES = new PackageTracks(
            List.of(new PackageTracks.Track(1, "aac", "en", "English"), new PackageTracks.Track(2, "aac", "fr", "Commentary")),
            List.of(new PackageTracks.Track(1, "mov_text", "en", "English")), List.of());
    private static final PackageTracks ONE_TRACK = new PackageTracks(List.of(new PackageTracks.Track(1, "aac", "en", "English")),
            List.of(), List.of());

    /** As Spring Boot configures the application's mapper: unknown properties ignored. */
    private static final ObjectMapper MAPPER = Jackson2ObjectMapperBuilder.json().build();

    private static WireMockServer mediaConvertApi;
    private static MediaConvertClient client;

    @BeforeAll
    static void start() {
        mediaConvertApi = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        mediaConvertApi.start();
        BackoffStrategy shortDelay = BackoffStrategy.fixedDelay(Duration.ofMillis(20));
        client = MediaConvertClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + mediaConvertApi.port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(ApacheHttpClient.builder())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .backoffStrategy(shortDelay).throttlingBackoffStrategy(shortDelay).build()))
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (mediaConvertApi != null) {
            mediaConvertApi.stop();
        }
    }

    @BeforeEach
    void reset() {
        mediaConvertApi.resetAll();
    }

    @Test
    void theRequestCarriesTheHlsLadderForTheJob() throws IOException {
        acceptJobs();

        assertThat(submitter(ROLE, QUEUE, TEMPLATE).submit(JOB)).isEqualTo(MEDIACONVERT_JOB);

        JsonNode request = onlyRequest();
        assertThat(request.path("role").asText()).isEqualTo(ROLE);
        assertThat(request.path("queue").asText()).isEqualTo(QUEUE);
        assertThat(request.path("userMetadata")).isEqualTo(MAPPER.readTree("{\"job_id\": \"" + JOB + "\"}"));
        assertThat(request.path("clientRequestToken").asText()).isNotBlank().hasSizeLessThanOrEqualTo(64);

        JsonNode settings = request.path("settings");
        assertThat(settings.path("inputs")).hasSize(1);
        JsonNode input = settings.path("inputs").get(0);
        assertThat(input.path("fileInput").asText()).isEqualTo("s3://" + BUCKET + "/jobs/" + JOB + "/final.mp4");
        // One audio selector per audio track of final.mp4, by its number among the audio tracks.
        JsonNode selectors = input.path("audioSelectors");
        assertThat(selectors.size()).isEqualTo(2);
        assertThat(selectors.path("Audio Selector 1").path("selectorType").asText()).isEqualTo("TRACK");
        assertThat(selectors.path("Audio Selector 1").path("tracks")).isEqualTo(MAPPER.readTree("[1]"));
        assertThat(selectors.path("Audio Selector 2").path("tracks")).isEqualTo(MAPPER.readTree("[2]"));
        assertThat(input.has("captionSelectors")).as("MediaConvert reads no mov_text track").isFalse();

        assertThat(settings.path("outputGroups")).hasSize(1);
        JsonNode group = settings.path("outputGroups").get(0).path("outputGroupSettings");
        assertThat(group.path("type").asText()).isEqualTo("HLS_GROUP_SETTINGS");
        assertThat(group.path("hlsGroupSettings").path("destination").asText())
                .isEqualTo("s3://" + BUCKET + "/jobs/" + JOB + "/hls/");
        assertThat(group.path("hlsGroupSettings").path("segmentLength").asInt()).isEqualTo(6);

        JsonNode outputs = settings.path("outputGroups").get(0).path("outputs");
        assertThat(outputs).hasSize(5);
        List<Integer> heights = new ArrayList<>();
        for (JsonNode output : List.of(outputs.get(0), outputs.get(1), outputs.get(2))) {
            assertThat(output.path("containerSettings").path("container").asText()).isEqualTo("M3U8");
            JsonNode video = output.path("videoDescription");
            // Height alone: MediaConvert scales the width evenly, so side-by-side frames keep their shape.
            assertThat(video.has("width")).as("width left to MediaConvert").isFalse();
            heights.add(video.path("height").asInt());
            JsonNode codec = video.path("codecSettings");
            assertThat(codec.path("codec").asText()).isEqualTo("H_264");
            JsonNode h264 = codec.path("h264Settings");
            assertThat(h264.path("rateControlMode").asText()).isEqualTo("QVBR");
            assertThat(h264.path("qvbrSettings").path("qvbrQualityLevel").isInt()).isTrue();
            assertThat(h264.path("maxBitrate").asInt()).isPositive();
            // The variants carry no audio: they name the group of audio renditions.
            assertThat(output.has("audioDescriptions")).isFalse();
            assertThat(output.path("outputSettings").path("hlsSettings").path("audioRenditionSets").asText()).isEqualTo("audio");
        }
        assertThat(heights).containsExactly(1080, 720, 480);

        // An audio-only rendition per track, in one group, the first the default.
        List<String> names = new ArrayList<>();
        for (int track = 1; track <= 2; track++) {
            JsonNode output = outputs.get(2 + track);
            assertThat(output.has("videoDescription")).isFalse();
            assertThat(output.path("nameModifier").asText()).isEqualTo("_audio_" + track);
            JsonNode hls = output.path("outputSettings").path("hlsSettings");
            assertThat(hls.path("audioGroupId").asText()).isEqualTo("audio");
            assertThat(hls.path("audioTrackType").asText())
                    .isEqualTo(track == 1 ? "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT" : "ALTERNATE_AUDIO_AUTO_SELECT");
            assertThat(output.path("audioDescriptions")).hasSize(1);
            JsonNode audio = output.path("audioDescriptions").get(0);
            assertThat(audio.path("audioSourceName").asText()).isEqualTo("Audio Selector " + track);
            assertThat(audio.path("languageCode").asText()).isEqualTo(track == 1 ? "ENG" : "FRA");
            names.add(audio.path("streamName").asText());
            assertThat(audio.path("codecSettings").path("codec").asText()).isEqualTo("AAC");
            assertThat(audio.path("codecSettings").path("aacSettings").path("bitrate").asInt()).isEqualTo(128000);
            assertThat(output.has("captionDescriptions")).isFalse();
        }
        assertThat(names).containsExactly("English", "Commentary");
    }

    /** A silent final.mp4: the variants alone, naming no audio group. */
    @Test
    void aSilentFinalVideoGetsNoAudioRenditions() throws IOException {
        acceptJobs();

        submitter(ROLE, QUEUE, TEMPLATE, jobId -> new PackageTracks(List.of(), List.of(), List.of())).submit(JOB);

        JsonNode settings = onlyRequest().path("settings");
        assertThat(settings.path("inputs").get(0).path("audioSelectors").size()).isZero();
        JsonNode outputs = settings.path("outputGroups").get(0).path("outputs");
        assertThat(outputs).hasSize(3);
        for (JsonNode output : outputs) {
            assertThat(output.path("videoDescription").path("height").asInt()).isPositive();
            assertThat(output.path("outputSettings").path("hlsSettings").has("audioRenditionSets")).isFalse();
        }
    }

    /** A track whose language is unknown keeps its name and leaves the language out, rather than guessing one. */
    @Test
    void aTrackOfNoKnownLanguageHasNoLanguageCode() throws IOException {
        acceptJobs();
        PackageTracks untagged = new PackageTracks(List.of(new PackageTracks.Track(1, "aac", null, "Audio 1"),
                new PackageTracks.Track(2, "ac3", "tlh", "Klingon")), List.of(), List.of());

        submitter(ROLE, QUEUE, TEMPLATE, jobId -> untagged).submit(JOB);

        JsonNode outputs = onlyRequest().path("settings").path("outputGroups").get(0).path("outputs");
        assertThat(outputs).hasSize(5);
        for (JsonNode output : List.of(outputs.get(3), outputs.get(4))) {
            assertThat(output.path("audioDescriptions").get(0).has("languageCode")).isFalse();
        }
        assertThat(outputs.get(3).path("audioDescriptions").get(0).path("streamName").asText()).isEqualTo("Audio 1");
        assertThat(outputs.get(4).path("audioDescriptions").get(0).path("streamName").asText()).isEqualTo("Klingon");
    }

    /**
     * The tracks come from final.mp4 itself, which ffprobe reads through a presigned GET URL (here answered by the
     * stand-in, which serves the generated file at the object's path).
     */
    @Test
    void theTracksAreReadFromTheFinalVideoThroughAPresignedUrl() throws IOException {
        acceptJobs();
        mediaConvertApi.stubFor(get(urlPathEqualTo("/" + BUCKET + "/jobs/" + JOB + "/final.mp4"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4")
                        .withBody(Files.readAllBytes(TestVideos.multiTrackClip(4)))));
        try (S3Presigner presigner = S3Presigner.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + mediaConvertApi.port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            RemoteMedia remote = new RemoteMedia(presigner, MediaTools.bundled(), Duration.ofSeconds(60), MAPPER);

            submitter(ROLE, QUEUE, TEMPLATE, MediaConvertSubmitter.probed(remote, BUCKET)).submit(JOB);
        }

        JsonNode outputs = onlyRequest().path("settings").path("outputGroups").get(0).path("outputs");
        assertThat(outputs).hasSize(5);
        assertThat(outputs.get(3).path("audioDescriptions").get(0).path("languageCode").asText()).isEqualTo("ENG");
        assertThat(outputs.get(3).path("audioDescriptions").get(0).path("streamName").asText()).isEqualTo("English");
        assertThat(outputs.get(4).path("audioDescriptions").get(0).path("languageCode").asText()).isEqualTo("FRA");
        assertThat(outputs.get(4).path("audioDescriptions").get(0).path("streamName").asText()).isEqualTo("Commentary");
        assertThat(mediaConvertApi.findAll(getRequestedFor(urlPathEqualTo("/" + BUCKET + "/jobs/" + JOB + "/final.mp4"))))
                .first().satisfies(request -> assertThat(request.getUrl()).contains("X-Amz-Signature="));
    }

    /** When final.mp4 can't be read, nothing is submitted and the error is one the route retries. */
    @Test
    void anUnreadableFinalVideoSubmitsNothing() {
        acceptJobs();

        assertThatThrownBy(() -> submitter(ROLE, QUEUE, TEMPLATE, jobId -> {
            throw new IOException("Server returned 404 Not Found");
        }).submit(JOB)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jobs/" + JOB + "/final.mp4").hasMessageContaining("404");
        assertThat(mediaConvertApi.getAllServeEvents()).isEmpty();
    }

    /** The renditions pipeline's own job: the source read by MediaConvert, its rungs repeated, the params filled in. */
    @Test
    void aPipelinesJobFromTheSourceRepeatsItsRungsAndCarriesItsParams() throws IOException {
        acceptJobs();
        Params params = new Pipelines(Path.of("routes"), "stereo", MAPPER)
                .resolve("renditions", MAPPER.readTree("{\"heights\": [720, 360], \"audio_kbps\": 96}"));

        String id = submitter(ROLE, QUEUE, TEMPLATE).submitForSource(JOB, "s3://reelroute-input/input/" + JOB + ".mp4",
                RENDITIONS_TEMPLATE, params, List.of(new Frame(720, 1280), new Frame(360, 640)));

        assertThat(id).isEqualTo(MEDIACONVERT_JOB);
        JsonNode request = onlyRequest();
        assertThat(request.path("userMetadata")).isEqualTo(MAPPER.readTree(
                "{\"job_id\": \"" + JOB + "\", \"made_from\": \"source\"}"));
        assertThat(request.path("clientRequestToken").asText()).isNotEqualTo(MediaConvertSubmitter.clientRequestToken(JOB))
                .hasSizeLessThanOrEqualTo(64);
        JsonNode settings = request.path("settings");
        assertThat(settings.path("inputs").get(0).path("fileInput").asText()).isEqualTo("s3://reelroute-input/input/" + JOB + ".mp4");

        JsonNode files = settings.path("outputGroups").get(0);
        assertThat(files.path("outputGroupSettings").path("fileGroupSettings").path("destination").asText())
                .isEqualTo("s3://" + BUCKET + "/jobs/" + JOB + "/renditions/rendition");
        JsonNode hls = settings.path("outputGroups").get(1);
        assertThat(hls.path("outputGroupSettings").path("hlsGroupSettings").path("destination").asText())
                .isEqualTo("s3://" + BUCKET + "/jobs/" + JOB + "/hls/");
        for (JsonNode group : List.of(files, hls)) {
            JsonNode outputs = group.path("outputs");
            assertThat(outputs).hasSize(2);
            // A portrait source: the rung is the frame's shorter side, its width.
            assertThat(outputs.get(0).path("nameModifier").asText()).isEqualTo("_720p");
            assertThat(outputs.get(0).path("videoDescription").path("width").asInt()).isEqualTo(720);
            assertThat(outputs.get(0).path("videoDescription").path("height").asInt()).isEqualTo(1280);
            assertThat(outputs.get(1).path("nameModifier").asText()).isEqualTo("_360p");
            assertThat(outputs.get(1).path("videoDescription").path("height").asInt()).isEqualTo(640);
            for (JsonNode output : outputs) {
                assertThat(output.path("audioDescriptions").get(0).path("codecSettings").path("aacSettings").path("bitrate").asInt())
                        .isEqualTo(96000);
            }
        }
        assertThat(files.path("outputs").get(0).path("containerSettings").path("mp4Settings").path("moovPlacement").asText())
                .as("the index first, for progressive download").isEqualTo("PROGRESSIVE_DOWNLOAD");
    }

    @Test
    void theTemplateReachesTheWireWhole() throws IOException {
        acceptJobs();

        submitter(ROLE, QUEUE, TEMPLATE, jobId -> ONE_TRACK).submit(JOB);

        // With one audio track, each per-track part of the template appears once, its placeholders filled in.
        String filled = Files.readString(TEMPLATE)
                .replace("{input}", "s3://" + BUCKET + "/jobs/" + JOB + "/final.mp4")
                .replace("{destination}", "s3://" + BUCKET + "/jobs/" + JOB + "/hls/")
                .replace("{job_id}", JOB)
                .replace("\"{audio_track}\"", "1")
                .replace("{audio_track}", "1")
                .replace("{audio_group}", "audio")
                .replace("{audio_language}", "ENG")
                .replace("{audio_name}", "English")
                .replace("{audio_track_type}", "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT");
        // The wire spells keys in camelCase, the template in PascalCase, and the model holds some integers of the
        // file as doubles (GopSize); the values and the nesting are the same.
        assertThat(keysInLowerCase(onlyRequest().path("settings"))).isEqualTo(keysInLowerCase(MAPPER.readTree(filled)));
    }

    @Test
    void theDefaultQueueIsUsedWhenNoneIsSet() throws IOException {
        acceptJobs();

        submitter(ROLE, " ", TEMPLATE).submit(JOB);

        assertThat(onlyRequest().has("queue")).isFalse();
    }

    @Test
    void theClientRequestTokenIsTheSameForOneJobOnly() throws IOException {
        acceptJobs();
        MediaConvertSubmitter submitter = submitter(ROLE, QUEUE, TEMPLATE);

        submitter.submit(JOB);
        submitter.submit(JOB);
        submitter.submit(OTHER_JOB);

        List<String> tokens = new ArrayList<>();
        for (JsonNode request : requests()) {
            tokens.add(request.path("clientRequestToken").asText());
        }
        assertThat(tokens).hasSize(3);
        assertThat(tokens.get(0)).isNotBlank().isEqualTo(tokens.get(1)).isNotEqualTo(tokens.get(2));
    }

    @Test
    void anUnavailableServiceIsAskedAgain() throws IOException {
        failOnceWith(aResponse().withStatus(503)
                .withHeader("x-amzn-ErrorType", "ServiceUnavailableException")
                .withBody("{\"message\":\"Service unavailable\"}"));

        assertThat(submitter(ROLE, QUEUE, TEMPLATE).submit(JOB)).isEqualTo(MEDIACONVERT_JOB);

        List<JsonNode> requests = requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).path("clientRequestToken")).isEqualTo(requests.get(0).path("clientRequestToken"));
    }

    @Test
    void throttlingIsWaitedOut() throws IOException {
        failOnceWith(aResponse().withStatus(429)
                .withHeader("x-amzn-ErrorType", "TooManyRequestsException")
                .withBody("{\"message\":\"Too many requests\"}"));

        assertThat(submitter(ROLE, QUEUE, TEMPLATE).submit(JOB)).isEqualTo(MEDIACONVERT_JOB);

        assertThat(requests()).hasSize(2);
    }

    @Test
    void aRefusalCarriesMediaConvertsReason() throws IOException {
        mediaConvertApi.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-ErrorType", "BadRequestException")
                .withBody("{\"message\":\"/outputGroups/0/outputs/0: Height must be even\"}")));

        assertThatThrownBy(() -> submitter(ROLE, QUEUE, TEMPLATE).submit(JOB))
                .isInstanceOf(HlsSubmissionRefused.class)
                .hasMessage("MediaConvert refused the job: 400 /outputGroups/0/outputs/0: Height must be even")
                .satisfies(e -> assertThat(((HlsSubmissionRefused) e).statusCode()).isEqualTo(400));
        assertThat(requests()).as("not sent again").hasSize(1);
    }

    @Test
    void aRoleMediaConvertMayNotUseIsARefusalToo() throws IOException {
        mediaConvertApi.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-ErrorType", "ForbiddenException")
                .withBody("{\"message\":\"Unable to assume role\"}")));

        assertThatThrownBy(() -> submitter(ROLE, QUEUE, TEMPLATE).submit(JOB))
                .isInstanceOf(HlsSubmissionRefused.class)
                .hasMessage("MediaConvert refused the job: 403 Unable to assume role");
        assertThat(requests()).hasSize(1);
    }

    @Test
    void aMissingRoleIsASettingsError() {
        acceptJobs();

        assertThatThrownBy(() -> submitter("", QUEUE, TEMPLATE).submit(JOB))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("reelroute.transcode.mediaconvert.role-arn is required when reelroute.transcode.packager=mediaconvert");
        assertThat(mediaConvertApi.getAllServeEvents()).isEmpty();
    }

    @Test
    void anUnknownKeyInTheTemplateNamesTheFile(@TempDir Path dir) throws IOException {
        acceptJobs();
        Path template = dir.resolve("mediaconvert-job.json");
        Files.writeString(template, Files.readString(TEMPLATE).replace("\"SegmentLength\"", "\"SegmentLenght\""));

        assertThatThrownBy(() -> submitter(ROLE, QUEUE, template).submit(JOB))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(template.toString())
                .hasMessageContaining("SegmentLenght")
                .hasMessageContaining("OutputGroups[0].OutputGroupSettings.HlsGroupSettings");
        assertThat(mediaConvertApi.getAllServeEvents()).isEmpty();
    }

    @Test
    void anUnknownValueInTheTemplateNamesTheFile(@TempDir Path dir) throws IOException {
        acceptJobs();
        Path template = dir.resolve("mediaconvert-job.json");
        Files.writeString(template, Files.readString(TEMPLATE).replaceFirst("\"QVBR\"", "\"QVRB\""));

        assertThatThrownBy(() -> submitter(ROLE, QUEUE, template).submit(JOB))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(template.toString())
                .hasMessageContaining("RateControlMode=QVRB");
        assertThat(mediaConvertApi.getAllServeEvents()).isEmpty();
    }

    @Test
    void aFractionWhereAnIntegerBelongsIsRefused(@TempDir Path dir) throws IOException {
        Path template = dir.resolve("mediaconvert-job.json");
        Files.writeString(template, Files.readString(TEMPLATE).replace("\"SegmentLength\": 6", "\"SegmentLength\": 6.5"));

        assertThatThrownBy(() -> submitter(ROLE, QUEUE, template).submit(JOB))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(template.toString())
                .hasMessageContaining("SegmentLength");
    }

    @Test
    void aMissingTemplateIsNamed(@TempDir Path dir) {
        Path template = dir.resolve("absent.json");

        assertThatThrownBy(() -> submitter(ROLE, QUEUE, template).submit(JOB))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(template.toString());
    }

    @Test
    void onlyJobIdsAreSubmitted() {
        assertThatThrownBy(() -> submitter(ROLE, QUEUE, TEMPLATE).submit("../other"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(mediaConvertApi.getAllServeEvents()).isEmpty();
    }

    private static MediaConvertSubmitter submitter(String role, String queue, Path template) {
        return submitter(role, queue, template, jobId -> TWO_TRACKS_AND_SUBTITLES);
    }

    private static MediaConvertSubmitter submitter(String role, String queue, Path template,
            MediaConvertSubmitter.FinalTracks tracks) {
        return new MediaConvertSubmitter(client, MAPPER, BUCKET,
                new ReelRouteProperties.Transcode.Mediaconvert(role, queue, null, template), tracks);
    }

    private static ResponseDefinitionBuilder created() {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"job\":{\"id\":\"" + MEDIACONVERT_JOB + "\",\"status\":\"SUBMITTED\",\"role\":\"" + ROLE
                        + "\",\"createdAt\":1700000000,\"settings\":{}}}");
    }

    private static void acceptJobs() {
        mediaConvertApi.stubFor(post(urlEqualTo(JOBS)).willReturn(created()));
    }

    private static void failOnceWith(ResponseDefinitionBuilder failure) {
        mediaConvertApi.stubFor(post(urlEqualTo(JOBS)).inScenario("once").whenScenarioStateIs(STARTED)
                .willReturn(failure.withHeader("Content-Type", "application/json")).willSetStateTo("recovered"));
        mediaConvertApi.stubFor(post(urlEqualTo(JOBS)).inScenario("once").whenScenarioStateIs("recovered")
                .willReturn(created()));
    }

    private static List<JsonNode> requests() throws IOException {
        List<JsonNode> bodies = new ArrayList<>();
        for (var request : mediaConvertApi.findAll(postRequestedFor(urlEqualTo(JOBS)))) {
            bodies.add(MAPPER.readTree(request.getBodyAsString()));
        }
        return bodies;
    }

    private static JsonNode onlyRequest() throws IOException {
        List<JsonNode> requests = requests();
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    /**
     * The same tree with every object key in lower case and every number in one form (2 and 2.0 alike), to
     * compare a PascalCase tree with a camelCase one.
     */
    private static JsonNode keysInLowerCase(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                copy.set(field.getKey().toLowerCase(Locale.ROOT), keysInLowerCase(field.getValue()));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(keysInLowerCase(element)));
            return copy;
        }
        if (node.isNumber()) {
            return JsonNodeFactory.instance.numberNode(node.decimalValue().stripTrailingZeros());
        }
        return node;
    }
}
