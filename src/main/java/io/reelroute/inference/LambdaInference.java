package io.reelroute.inference;

import java.util.Optional;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;

/**
 * {@code lambda}: a synchronous invocation of an AWS Lambda function through Camel's {@code aws2-lambda}
 * component (which uses the {@code LambdaClient} bean), with {@code {"s3_input_uri", "s3_output_uri", "mode"}}
 * as the event. The function reads the segment from S3 and writes the output there itself.
 * <p>
 * The component hands back only the response payload: Lambda's {@code X-Amz-Function-Error} header does not
 * reach the exchange. A function error is therefore recognised by its payload, Lambda's error document
 * {@code {"errorMessage", "errorType", ...}} (an unhandled exception, a timeout, running out of memory); it is
 * a model failure. So a function must not answer a success with a top-level {@code errorMessage}. A 4xx
 * answer to the invocation (an unknown function, a rejected payload, a missing permission) refuses the
 * request and fails the job at once; throttling, conflicts and 5xx answers are left to the retries. Each
 * invocation may take the segment's timeout, and no more than Lambda's 15 minutes.
 */
@Component
public class LambdaInference implements InferenceBackend {

    private static final int MESSAGE_TAIL = 1000;

    private final ProducerTemplate producer;
    private final ObjectMapper mapper;
    private final String functionName;

    @Autowired
    public LambdaInference(ProducerTemplate producer, ObjectMapper mapper, ReelRouteProperties properties) {
        this(producer, mapper, properties.inference().lambda().functionName());
    }

    LambdaInference(ProducerTemplate producer, ObjectMapper mapper, String functionName) {
        this.producer = producer;
        this.mapper = mapper;
        this.functionName = functionName == null ? null : functionName.strip();
    }

    @Override
    public String name() {
        return "lambda";
    }

    @Override
    public boolean worksInS3() {
        return true;
    }

    @Override
    public void infer(SegmentWork work) {
        String function = functionName();
        // pojoRequest: the request is built here, so the event is sent as UTF-8 and the call has a time limit.
        InvokeRequest request = InvokeRequest.builder()
                .functionName(function)
                .invocationType(InvocationType.REQUEST_RESPONSE)
                .payload(SdkBytes.fromUtf8String(requestJson(work)))
                .overrideConfiguration(c -> c.apiCallTimeout(work.timeout()))
                .build();
        String payload;
        try {
            payload = producer.requestBody(endpointUri(function), request, String.class);
        } catch (CamelExecutionException e) {
            throw translate(work, function, e);
        }
        functionError(payload).ifPresent(error -> {
            throw new InferenceFailure(work.describe() + ": Lambda function " + function + " failed: " + error);
        });
    }

    /** The component's endpoint; with {@code pojoRequest} it sends the {@link InvokeRequest} as it is. */
    static String endpointUri(String function) {
        return "aws2-lambda:" + function + "?operation=invokeFunction&pojoRequest=true";
    }

    /**
     * The reason in a payload of Lambda's error shape ({@code errorType: errorMessage}), or empty for any other
     * payload.
     */
    Optional<String> functionError(String payload) {
        if (payload == null || payload.isBlank()) {
            return Optional.empty();
        }
        JsonNode document;
        try {
            document = mapper.readTree(payload);
        } catch (JsonProcessingException notJson) {
            return Optional.empty();
        }
        if (document == null || !document.isObject() || !document.path("errorMessage").isTextual()) {
            return Optional.empty();
        }
        String message = tail(document.path("errorMessage").asText().strip());
        String type = document.path("errorType").isTextual() ? document.path("errorType").asText().strip() : "";
        return Optional.of(type.isEmpty() ? message : type + ": " + message);
    }

    private RuntimeException translate(SegmentWork work, String function, CamelExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ApiCallTimeoutException) {
            return new InferenceFailure(work.describe() + ": Lambda function " + function + " gave no answer within "
                    + work.timeout().toSeconds() + " s", cause);
        }
        if (cause instanceof AwsServiceException service && ServiceRefusals.refused(service)) {
            return new PermanentJobFailure(FailurePhase.INFERENCE, work.describe() + ": Lambda refused the invocation of "
                    + function + " " + ServiceRefusals.describe(service), service);
        }
        return cause instanceof RuntimeException runtime ? runtime : e;
    }

    private String functionName() {
        if (functionName == null || functionName.isEmpty()) {
            throw new IllegalStateException("reelroute.inference.backend=lambda needs "
                    + "reelroute.inference.lambda.function-name (the function's name or ARN)");
        }
        return functionName;
    }

    private String requestJson(SegmentWork work) {
        try {
            return mapper.writeValueAsString(work.request());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tail(String text) {
        return text.length() <= MESSAGE_TAIL ? text : "…" + text.substring(text.length() - MESSAGE_TAIL);
    }
}
