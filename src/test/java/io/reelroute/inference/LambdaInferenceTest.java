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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * The lambda backend through Camel's aws2-lambda component, against S3Mock and a stand-in for Lambda's Invoke
 * ({@code POST /2015-03-31/functions/{FunctionName}/invocations}). The function name picks what the stand-in
 * does: {@code stereo} runs the model, {@code crashing} answers a function error ({@code X-Amz-Function-Error:
 * Unhandled} and Lambda's error document), {@code slow} keeps the caller waiting, {@code unknown} answers 404
 * ResourceNotFoundException, {@code throttled} 429 TooManyRequestsException.
 */
class LambdaInferenceTest {

    private static final Pattern PATH = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations");

    /** One Invoke request as the stand-in saw it. */
    record Invocation(String function, String invocationType, Map<String, Object> request) {
    }

    private static RemoteModelSupport support;
    private static LambdaClient lambda;
    private static CamelContext camel;
    private static ProducerTemplate producer;
    private static final List<Invocation> invocations = new CopyOnWriteArrayList<>();
    private static final CountDownLatch released = new CountDownLatch(1);

    @BeforeAll
    static void start() throws IOException {
        support = new RemoteModelSupport();
        URI endpoint = support.serve(LambdaInferenceTest::handle);
        // As the application builds it (AwsClientsConfiguration), without the SDK's own retries.
        lambda = LambdaClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(RemoteModelSupport.CREDENTIALS)
                .httpClientBuilder(ApacheHttpClient.builder().socketTimeout(Duration.ofMinutes(16)))
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1)))
                .build();
        camel = new DefaultCamelContext();
        // The component finds the client by type, as it finds the Spring bean in the application.
        camel.getRegistry().bind("lambdaClient", lambda);
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterAll
    static void stop() throws Exception {
        released.countDown();
        if (producer != null) {
            producer.close();
        }
        if (camel != null) {
            camel.close();
        }
        if (lambda != null) {
            lambda.close();
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
    void theFunctionReadsTheRequestAndWritesTheOutput(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        backend("stereo").infer(work);

        assertThat(support.read(OUTPUT_BUCKET, work.outputKey())).isEqualTo("segment bytes");
        assertThat(invocations).singleElement().satisfies(invocation -> {
            assertThat(invocation.function()).isEqualTo("stereo");
            assertThat(invocation.invocationType()).isEqualTo("RequestResponse");
            assertThat(invocation.request()).containsOnlyKeys("s3_input_uri", "s3_output_uri", "mode", "params")
                    .containsEntry("s3_input_uri", work.s3InputUri())
                    .containsEntry("s3_output_uri", work.s3OutputUri())
                    .containsEntry("mode", "sbs")
                    .containsEntry("params", work.params().byName());
        });
    }

    @Test
    void aFunctionErrorIsAModelFailureWithItsMessage(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        assertThatThrownBy(() -> backend("crashing").infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessageStartingWith("segment 2: ")
                .hasMessageContaining("Lambda function crashing failed")
                .hasMessageEndingWith(": RuntimeError: CUDA error: out of memory");
        assertThat(support.exists(OUTPUT_BUCKET, work.outputKey())).isFalse();
    }

    @Test
    void noAnswerWithinTheTimeoutIsAModelFailure(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofMillis(800), "segment bytes");
        long started = System.nanoTime();

        assertThatThrownBy(() -> backend("slow").infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessageStartingWith("segment 2: ")
                .hasMessageContaining("Lambda function slow gave no answer within");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anUnknownFunctionRefusesTheRequest(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        assertThatThrownBy(() -> backend("unknown").infer(work))
                .isInstanceOfSatisfying(PermanentJobFailure.class,
                        failure -> assertThat(failure.phase()).isEqualTo(FailurePhase.INFERENCE))
                .hasMessageStartingWith("segment 2: ")
                .hasMessageContaining("404 ResourceNotFoundException")
                .hasMessageContaining("Function not found");
    }

    @Test
    void throttlingIsLeftToTheRetries(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        assertThatThrownBy(() -> backend("throttled").infer(work))
                .isInstanceOf(TooManyRequestsException.class);
    }

    @Test
    void onlyLambdasErrorShapeIsAFunctionError() {
        LambdaInference backend = backend("stereo");

        assertThat(backend.functionError("{\"errorMessage\":\"2026-01-01T00:00:00.000Z 1f0e Task timed out after 900.00 seconds\"}"))
                .contains("2026-01-01T00:00:00.000Z 1f0e Task timed out after 900.00 seconds");
        assertThat(backend.functionError("{\"errorType\":\"Runtime.OutOfMemory\",\"errorMessage\":\" signal: killed \"}"))
                .contains("Runtime.OutOfMemory: signal: killed");
        assertThat(backend.functionError("{\"status\":\"done\"}")).isEmpty();
        assertThat(backend.functionError("\"done\"")).isEmpty();
        assertThat(backend.functionError("null")).isEmpty();
        assertThat(backend.functionError("")).isEmpty();
        assertThat(backend.functionError("not json")).isEmpty();
    }

    @Test
    void aFunctionNameIsRequired(@TempDir Path dir) {
        SegmentWork work = support.segment(dir, Duration.ofSeconds(10), "segment bytes");

        assertThatThrownBy(() -> new LambdaInference(producer, RemoteModelSupport.MAPPER, (String) null).infer(work))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reelroute.inference.lambda.function-name");
        assertThat(invocations).isEmpty();
    }

    private static LambdaInference backend(String function) {
        return new LambdaInference(producer, RemoteModelSupport.MAPPER, function);
    }

    /** Lambda's Invoke, as its wire API answers. */
    private static void handle(HttpExchange exchange) throws IOException {
        Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
        if (!"POST".equals(exchange.getRequestMethod()) || !path.matches()) {
            RemoteModelSupport.answer(exchange, 404, Map.of("x-amzn-ErrorType", "UnknownOperationException"), "{}");
            return;
        }
        String function = path.group(1);
        String payload = RemoteModelSupport.body(exchange);
        switch (function) {
            case "unknown" -> {
                RemoteModelSupport.answer(exchange, 404, Map.of("x-amzn-ErrorType", "ResourceNotFoundException"),
                        "{\"Type\":\"User\",\"message\":\"Function not found: "
                                + "arn:aws:lambda:us-east-1:000000000000:function:unknown\"}");
                return;
            }
            case "throttled" -> {
                RemoteModelSupport.answer(exchange, 429, Map.of("x-amzn-ErrorType", "TooManyRequestsException"),
                        "{\"Type\":\"User\",\"message\":\"Rate Exceeded.\","
                                + "\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"}");
                return;
            }
            default -> {
            }
        }
        Map<String, Object> request = RemoteModelSupport.json(payload);
        invocations.add(new Invocation(function, exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"), request));
        switch (function) {
            case "stereo" -> {
                support.runModel(request);
                RemoteModelSupport.answer(exchange, 200, Map.of("X-Amz-Executed-Version", "$LATEST"),
                        "{\"status\":\"done\"}");
            }
            case "crashing" -> RemoteModelSupport.answer(exchange, 200,
                    Map.of("X-Amz-Function-Error", "Unhandled", "X-Amz-Executed-Version", "$LATEST"),
                    "{\"errorMessage\":\"CUDA error: out of memory\",\"errorType\":\"RuntimeError\","
                            + "\"requestId\":\"5d2c0f9e-0000-4000-8000-000000000000\","
                            + "\"stackTrace\":[\"  File \\\"/var/task/handler.py\\\", line 12, in handler\\n\"]}");
            case "slow" -> {
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                RemoteModelSupport.answer(exchange, 200, Map.of(), "{\"status\":\"done\"}");
            }
            default -> RemoteModelSupport.answer(exchange, 404, Map.of("x-amzn-ErrorType", "ResourceNotFoundException"),
                    "{\"Type\":\"User\",\"message\":\"Function not found: " + function + "\"}");
        }
    }
}
