package io.reelroute.transcode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
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
import io.reelroute.pipelines.Pipelines;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.mediaconvert.MediaConvertClient;

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
        assertThat(input.path("audioSelectors").size()).isPositive();

        assertThat(settings.path("outputGroups")).hasSize(1);
        JsonNode group = settings.path("outputGroups").get(0).path("outputGroupSettings");
        assertThat(group.path("type").asText()).isEqualTo("HLS_GROUP_SETTINGS");
        assertThat(group.path("hlsGroupSettings").path("destination").asText())
                .isEqualTo("s3://" + BUCKET + "/jobs/" + JOB + "/hls/");
        assertThat(group.path("hlsGroupSettings").path("segmentLength").asInt()).isEqualTo(6);

        JsonNode outputs = settings.path("outputGroups").get(0).path("outputs");
        assertThat(outputs).hasSize(3);
        List<Integer> heights = new ArrayList<>();
        for (JsonNode output : outputs) {
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
            assertThat(output.path("audioDescriptions")).hasSize(1);
            JsonNode audio = output.path("audioDescriptions").get(0).path("codecSettings");
            assertThat(audio.path("codec").asText()).isEqualTo("AAC");
            assertThat(audio.path("aacSettings").path("bitrate").asInt()).isPositive();
        }
        assertThat(heights).containsExactly(1080, 720, 480);
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

        submitter(ROLE, QUEUE, TEMPLATE).submit(JOB);

        String filled = Files.readString(TEMPLATE)
                .replace("{input}", "s3://" + BUCKET + "/jobs/" + JOB + "/final.mp4")
                .replace("{destination}", "s3://" + BUCKET + "/jobs/" + JOB + "/hls/")
                .replace("{job_id}", JOB);
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
        return new MediaConvertSubmitter(client, MAPPER, BUCKET,
                new ReelRouteProperties.Transcode.Mediaconvert(role, queue, null, template));
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
