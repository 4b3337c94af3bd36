package io.reelroute.inference;

import static io.reelroute.inference.RemoteModelSupport.OUTPUT_BUCKET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.inference.RemoteModelSupport.Location;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sagemakerruntime.model.SageMakerRuntimeException;

/**
 * The sagemaker-async backend against S3Mock and a stand-in for the SageMaker runtime's InvokeEndpointAsync
 * ({@code POST /endpoints/{EndpointName}/async-invocations}). The endpoint name picks what the stand-in does:
 * {@code stereo} runs the model and writes the response document, {@code broken} writes an error document,
 * {@code stalled} accepts and never finishes, {@code unknown} answers 400 ValidationError, {@code overloaded} 503.
 */
class SagemakerAsyncInferenceTest {

    private static final Pattern PATH = Pattern.compile("/endpoints/([^/]+)/async-invocations");

    /** One InvokeEndpointAsync request as the stand-in saw it. */
    record Invocation(String endpoint, String inputLocation, String contentType, String inferenceId,
            Map<String, Object> request) {
    }

    private static RemoteModelSupport support;
    private static SageMakerRuntimeClient sagemaker;
    private static final List<Invocation> invocations = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        support = new RemoteModelSupport();
        URI endpoint = support.serve(SagemakerAsyncInferenceTest::handle);
        sagemaker = SageMakerRuntimeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(RemoteModelSupport.CREDENTIALS)
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1)))
                .build();
    }

    @AfterAll
    static void stop() {
        if (sagemaker != null) {
            sagemaker.close();
        }
        if (support != null) {
            support.close();
        }
    }

    @BeforeEach
    void forget() {
        invocations.clear();
    }

    @Test
    void theEndpointReadsTheStagedRequestAndWritesTheOutput(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        backend("stereo").infer(work);

        assertThat(support.read(OUTPUT_BUCKET, work.outputKey())).isEqualTo("segment bytes");
        Invocation invocation = invocations.get(0);
        assertThat(invocations).hasSize(1);
        assertThat(invocation.request()).containsOnlyKeys("s3_input_uri", "s3_output_uri", "mode", "params")
                .containsEntry("s3_input_uri", work.s3InputUri())
                .containsEntry("s3_output_uri", work.s3OutputUri())
                .containsEntry("mode", "sbs")
                .containsEntry("params", work.params().byName());
        String requestKey = "inference-requests/" + work.segment().jobId() + "/2.json";
        assertThat(invocation.inputLocation()).isEqualTo("s3://" + OUTPUT_BUCKET + "/" + requestKey);
        assertThat(invocation.contentType()).isEqualTo("application/json");
        assertThat(invocation.inferenceId()).isEqualTo(work.segment().jobId() + "-00002");
        // The staged request expires with the segment outputs.
        assertThat(support.s3.getObjectTagging(r -> r.bucket(OUTPUT_BUCKET).key(requestKey)).tagSet())
                .containsExactly(Tag.builder().key("reelroute-lifecycle").value("expire-segments").build());
    }

    @Test
    void aRepeatedSegmentStagesItsRequestUnderTheSameKey(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "again");
        SagemakerAsyncInference backend = backend("stereo");

        backend.infer(work);
        backend.infer(work);

        assertThat(invocations).extracting(Invocation::inputLocation).hasSize(2).containsOnly(invocations.get(0).inputLocation());
        assertThat(invocations).extracting(Invocation::inferenceId).containsOnly(work.segment().jobId() + "-00002");
        assertThat(support.s3.listObjectsV2(r -> r.bucket(OUTPUT_BUCKET).prefix("inference-requests/" + work.segment().jobId()))
                .contents()).hasSize(1);
    }

    @Test
    void anErrorDocumentIsAModelFailureWithItsText(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        assertThatThrownBy(() -> backend("broken").infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessageStartingWith("segment 2: ")
                .hasMessageContaining("SageMaker endpoint broken failed")
                .hasMessageEndingWith(": CUDA error: out of memory");
        assertThat(support.exists(OUTPUT_BUCKET, work.outputKey())).isFalse();
    }

    @Test
    void noResultBeforeTheTimeoutIsAModelFailure(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofMillis(800), "segment bytes");
        long started = System.nanoTime();

        assertThatThrownBy(() -> backend("stalled").infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessageStartingWith("segment 2: ")
                .hasMessageContaining("gave no result within");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
        assertThat(invocations).hasSize(1);
    }

    @Test
    void aValidationErrorRefusesTheRequest(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        assertThatThrownBy(() -> backend("unknown").infer(work))
                .isInstanceOfSatisfying(PermanentJobFailure.class,
                        failure -> assertThat(failure.phase()).isEqualTo(FailurePhase.INFERENCE))
                .hasMessageStartingWith("segment 2: ")
                .hasMessageContaining("400 ValidationError")
                .hasMessageContaining("Endpoint unknown of account 000000000000 not found.");
    }

    @Test
    void anUnavailableServiceIsLeftToTheRetries(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        assertThatThrownBy(() -> backend("overloaded").infer(work))
                .isInstanceOfSatisfying(SageMakerRuntimeException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(503))
                .isNotInstanceOf(PermanentJobFailure.class)
                .isNotInstanceOf(InferenceFailure.class);
    }

    @Test
    void anEndpointNameIsRequired(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        assertThatThrownBy(() -> backend(" ").infer(work))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reelroute.inference.sagemaker-async.endpoint-name");
        assertThat(invocations).isEmpty();
    }

    private static SagemakerAsyncInference backend(String endpointName) {
        return new SagemakerAsyncInference(sagemaker, support.s3, RemoteModelSupport.MAPPER,
                new ReelRouteProperties.Inference.SagemakerAsync(endpointName, "inference-requests/",
                        Duration.ofMillis(50), null),
                "reelroute");
    }

    /** The SageMaker runtime, as its wire API answers; the model works after the answer, as on AWS. */
    private static void handle(HttpExchange exchange) throws IOException {
        Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
        if (!"POST".equals(exchange.getRequestMethod()) || !path.matches()) {
            RemoteModelSupport.answer(exchange, 404, Map.of("x-amzn-ErrorType", "UnknownOperationException"), "{}");
            return;
        }
        String endpoint = path.group(1);
        RemoteModelSupport.body(exchange);
        String inputLocation = exchange.getRequestHeaders().getFirst("X-Amzn-SageMaker-InputLocation");
        String inferenceId = exchange.getRequestHeaders().getFirst("X-Amzn-SageMaker-Inference-Id");
        switch (endpoint) {
            case "unknown" -> {
                RemoteModelSupport.answer(exchange, 400, Map.of("x-amzn-ErrorType", "ValidationError"),
                        "{\"message\":\"Endpoint unknown of account 000000000000 not found.\"}");
                return;
            }
            case "overloaded" -> {
                RemoteModelSupport.answer(exchange, 503, Map.of("x-amzn-ErrorType", "ServiceUnavailable"),
                        "{\"message\":\"The service is unavailable. Try your call again.\"}");
                return;
            }
            default -> {
            }
        }
        Location staged = Location.parse(inputLocation);
        Map<String, Object> request = RemoteModelSupport.json(support.read(staged.bucket(), staged.key()));
        invocations.add(new Invocation(endpoint, inputLocation,
                exchange.getRequestHeaders().getFirst("X-Amzn-SageMaker-Content-Type"), inferenceId, request));

        String id = inferenceId == null ? UUID.randomUUID().toString() : inferenceId;
        // Each invocation gets locations of its own, as SageMaker names them.
        String name = UUID.randomUUID().toString();
        Location output = new Location(OUTPUT_BUCKET, "async-output/" + endpoint + "/" + name + ".out");
        Location failure = new Location(OUTPUT_BUCKET, "async-failures/" + endpoint + "/" + name + "-error.out");
        RemoteModelSupport.answer(exchange, 202,
                Map.of("X-Amzn-SageMaker-OutputLocation", output.toString(),
                        "X-Amzn-SageMaker-FailureLocation", failure.toString()),
                RemoteModelSupport.MAPPER.writeValueAsString(Map.of("InferenceId", id,
                        "OutputLocation", output.toString(), "FailureLocation", failure.toString())));

        sleep(200);
        switch (endpoint) {
            case "stereo" -> {
                support.runModel(request);
                support.s3.putObject(r -> r.bucket(output.bucket()).key(output.key()).contentType("application/json"),
                        RequestBody.fromString("{\"status\":\"done\",\"output\":\"" + request.get("s3_output_uri") + "\"}"));
            }
            case "broken" -> support.s3.putObject(r -> r.bucket(failure.bucket()).key(failure.key()),
                    RequestBody.fromString("\n  CUDA error: out of memory \n"));
            default -> {
                // stalled: never finishes
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
