package io.reelroute.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.SegmentKey;
import io.reelroute.testing.TestParams;
import io.reelroute.embedded.EmbeddedAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The http backend against a model server the test starts, speaking the SageMaker container contract
 * ({@code GET /ping}, {@code POST /invocations}) and reading and writing S3 (S3Mock) the way the GPU
 * inference container does.
 */
class HttpInferenceTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static EmbeddedAws aws;
    private static S3Client s3;
    private static HttpServer server;
    private static final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    /** What /invocations answers: 200 after copying input to output, or this status with an error text. */
    private static final AtomicInteger answer = new AtomicInteger(200);
    private static final AtomicInteger pingStatus = new AtomicInteger(200);
    private static volatile long delayMillis;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"));
        s3 = S3Client.builder().endpointOverride(aws.s3Endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build();
        s3.createBucket(r -> r.bucket("reelroute-input"));
        s3.createBucket(r -> r.bucket("reelroute-output"));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ping", exchange -> reply(exchange, pingStatus.get(), ""));
        server.createContext("/invocations", HttpInferenceTest::invoke);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        s3.close();
        aws.close();
    }

    @BeforeEach
    void reset() {
        requests.clear();
        answer.set(200);
        pingStatus.set(200);
        delayMillis = 0;
    }

    @Test
    void theModelServerGetsTheS3UrisAndModeAndWritesTheOutput() {
        SegmentWork work = segment(Duration.ofSeconds(30));

        backend().infer(work);

        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).get("s3_input_uri").asText()).isEqualTo("s3://reelroute-input/" + work.segment().key());
        assertThat(requests.get(0).get("s3_output_uri").asText())
                .isEqualTo("s3://reelroute-output/" + OutputKeys.segment(work.segment().jobId(), 2));
        assertThat(requests.get(0).get("mode").asText()).isEqualTo("anaglyph");
        // The job's stereo params beside the fields stereo-spot's container reads.
        assertThat(requests.get(0).get("params").get("format").asText()).isEqualTo("anaglyph");
        assertThat(requests.get(0).get("params").get("divergence").asDouble()).isEqualTo(2.0);
        assertThat(requests.get(0).get("params").get("anaglyph_method").asText()).isEqualTo("dubois");
        assertThat(s3.getObjectAsBytes(r -> r.bucket("reelroute-output").key(work.outputKey())).asUtf8String())
                .isEqualTo("segment bytes of " + work.segment().key());
    }

    @Test
    void aServerErrorIsAnInferenceFailureWithTheAnswer() {
        answer.set(500);

        assertThatThrownBy(() -> backend().infer(segment(Duration.ofSeconds(30))))
                .isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 2: the model server failed (500): model crashed: CUDA error");
    }

    @Test
    void aRefusedRequestFailsTheJobAtOnce() {
        answer.set(400);

        assertThatThrownBy(() -> backend().infer(segment(Duration.ofSeconds(30))))
                .isInstanceOf(PermanentJobFailure.class)
                .hasMessageContaining("segment 2: the model server refused the request (400)")
                .satisfies(e -> assertThat(((PermanentJobFailure) e).phase()).isEqualTo(FailurePhase.INFERENCE));
    }

    @Test
    void aServerThatIsNotReadyOrBusyIsNotTheSegmentsFault() {
        pingStatus.set(503);
        assertThatThrownBy(() -> backend().infer(segment(Duration.ofSeconds(30))))
                .isInstanceOf(HttpInference.ModelServerUnavailable.class)
                .hasMessageContaining("not ready");
        assertThat(requests).isEmpty();

        pingStatus.set(200);
        answer.set(503);
        assertThatThrownBy(() -> backend().infer(segment(Duration.ofSeconds(30))))
                .isInstanceOf(HttpInference.ModelServerUnavailable.class);
    }

    /**
     * Like stereo-spot's inference server (gunicorn with one worker): while a model runs it answers nothing else,
     * not even /ping. Segments sent at once by parallel consumers wait their turn instead of finding the model
     * "unavailable", and the server is pinged once, not before every call.
     */
    @Test
    void aSingleWorkerServerBusyWithAModelRunIsWaitedForNotCalledUnavailable() throws Exception {
        AtomicInteger pings = new AtomicInteger();
        HttpServer singleWorker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        singleWorker.createContext("/ping", exchange -> {
            pings.incrementAndGet();
            reply(exchange, 200, "");
        });
        singleWorker.createContext("/invocations", HttpInferenceTest::invoke);
        singleWorker.setExecutor(Executors.newSingleThreadExecutor());
        singleWorker.start();
        delayMillis = 1500;
        ExecutorService consumers = Executors.newFixedThreadPool(3);
        try {
            HttpInference backend = new HttpInference(InferenceSettings.with(Map.of(
                    "reelroute.inference.http.url", "http://127.0.0.1:" + singleWorker.getAddress().getPort(),
                    "reelroute.inference.http.connect-timeout", "1s")), MAPPER);
            backend.infer(segment(Duration.ofSeconds(30)));
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SegmentWork work = segment(Duration.ofSeconds(30));
                runs.add(consumers.submit(() -> backend.infer(work)));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
            assertThat(requests).hasSize(4);
            assertThat(pings.get()).as("pinged before the first call only").isEqualTo(1);
        } finally {
            consumers.shutdownNow();
            singleWorker.stop(0);
        }
    }

    @Test
    void anUnreachableServerIsNotTheSegmentsFault() {
        HttpInference nowhere = new HttpInference(InferenceSettings.with(Map.of(
                "reelroute.inference.http.url", "http://127.0.0.1:9", "reelroute.inference.http.connect-timeout", "1s")), MAPPER);

        assertThatThrownBy(() -> nowhere.infer(segment(Duration.ofSeconds(5))))
                .isInstanceOf(HttpInference.ModelServerUnavailable.class)
                .hasMessageContaining("unreachable");
    }

    @Test
    void aModelThatRunsPastTheSegmentTimeoutIsAFailure() {
        delayMillis = 5_000;

        assertThatThrownBy(() -> backend().infer(segment(Duration.ofSeconds(1))))
                .isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 2: the model server gave no answer within 1 s");
    }

    private SegmentWork segment(Duration timeout) {
        String jobId = JobIds.newId();
        SegmentKey key = new SegmentKey(jobId, 2, Mode.ANAGLYPH);
        s3.putObject(r -> r.bucket("reelroute-input").key(key.key()), RequestBody.fromString("segment bytes of " + key.key()));
        try {
            return new SegmentWork(key, TestParams.stereo("{\"format\": \"anaglyph\"}"), "reelroute-input", "reelroute-output", OutputKeys.segment(jobId, 2),
                    Files.createDirectories(dir.resolve("work")), timeout);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpInference backend() {
        return new HttpInference(InferenceSettings.with(Map.of("reelroute.inference.http.url",
                "http://127.0.0.1:" + server.getAddress().getPort())), MAPPER);
    }

    /** What the GPU inference container does: copy s3_input_uri to s3_output_uri (here without a model). */
    private static void invoke(HttpExchange exchange) throws IOException {
        JsonNode request = MAPPER.readTree(exchange.getRequestBody());
        requests.add(request);
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (answer.get() != 200) {
            reply(exchange, answer.get(), "model crashed: CUDA error");
            return;
        }
        URI input = URI.create(request.get("s3_input_uri").asText());
        URI output = URI.create(request.get("s3_output_uri").asText());
        byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(input.getHost()).key(input.getPath().substring(1))).asByteArray();
        s3.putObject(r -> r.bucket(output.getHost()).key(output.getPath().substring(1)), RequestBody.fromBytes(bytes));
        reply(exchange, 200, "{\"status\":\"ok\"}");
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
