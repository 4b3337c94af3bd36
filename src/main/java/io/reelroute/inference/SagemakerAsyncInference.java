package io.reelroute.inference;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;

/**
 * {@code sagemaker-async}: a SageMaker asynchronous inference endpoint. The request document
 * {@code {"s3_input_uri", "s3_output_uri", "mode"}} is staged in the output bucket at
 * {@code {request-prefix}{job_id}/{segment_index}.json}, then InvokeEndpointAsync queues it with the inference id
 * {@code {job_id}-{segment_index:05d}}. The model reads the segment from S3 and writes the output there itself;
 * the endpoint then writes its response document to the output location it named, or an error document to its
 * failure location. Both are looked at every {@code poll-interval} until the segment's timeout: the response
 * means success, the error document is a model failure whose text becomes the reason, and nothing by the
 * timeout is a model failure too. A 4xx answer to the invocation (an unknown endpoint, a validation error, a
 * model error) refuses the request and fails the job at once; throttling and 5xx answers are left to the retries.
 */
@Component
public class SagemakerAsyncInference implements InferenceBackend {

    static final String CONTENT_TYPE = "application/json";
    /** The end of a long failure document that a reason keeps. */
    private static final int FAILURE_TAIL = 2000;

    private final SageMakerRuntimeClient sagemaker;
    private final S3Client s3;
    private final ObjectMapper mapper;
    private final ReelRouteProperties.Inference.SagemakerAsync settings;
    private final Tag lifecycleTag;

    @Autowired
    public SagemakerAsyncInference(SageMakerRuntimeClient sagemaker, S3Client s3, ObjectMapper mapper,
            ReelRouteProperties properties) {
        this(sagemaker, s3, mapper, properties.inference().sagemakerAsync(), properties.prefix());
    }

    SagemakerAsyncInference(SageMakerRuntimeClient sagemaker, S3Client s3, ObjectMapper mapper,
            ReelRouteProperties.Inference.SagemakerAsync settings, String prefix) {
        this.sagemaker = sagemaker;
        this.s3 = s3;
        this.mapper = mapper;
        this.settings = settings;
        // Staged requests expire with the segment outputs, under the output bucket's lifecycle rule.
        this.lifecycleTag = Tag.builder().key(prefix + "-lifecycle").value("expire-segments").build();
    }

    @Override
    public String name() {
        return "sagemaker-async";
    }

    @Override
    public boolean worksInS3() {
        return true;
    }

    @Override
    public void infer(SegmentWork work) {
        String endpointName = endpointName();
        String requestKey = requestKey(work);
        s3.putObject(r -> r.bucket(work.outputBucket()).key(requestKey).contentType(CONTENT_TYPE)
                .tagging(Tagging.builder().tagSet(lifecycleTag).build()), RequestBody.fromString(requestJson(work)));
        String inputLocation = "s3://" + work.outputBucket() + "/" + requestKey;

        InvokeEndpointAsyncResponse response;
        try {
            response = sagemaker.invokeEndpointAsync(r -> r.endpointName(endpointName).inputLocation(inputLocation)
                    .contentType(CONTENT_TYPE).inferenceId(inferenceId(work)));
        } catch (AwsServiceException e) {
            if (ServiceRefusals.refused(e)) {
                throw new PermanentJobFailure(FailurePhase.INFERENCE, work.describe() + ": SageMaker endpoint "
                        + endpointName + " refused the request " + ServiceRefusals.describe(e), e);
            }
            throw e;
        }
        if (response.outputLocation() == null || response.outputLocation().isBlank()) {
            throw new IllegalStateException(work.describe() + ": SageMaker endpoint " + endpointName
                    + " accepted the request but named no output location");
        }
        S3Location output = S3Location.parse(response.outputLocation());
        S3Location failure = response.failureLocation() == null || response.failureLocation().isBlank() ? null
                : S3Location.parse(response.failureLocation());
        await(work, endpointName, response.inferenceId(), output, failure);
    }

    /** Waits for the response document (success) or the error document (failure), until the segment's timeout. */
    private void await(SegmentWork work, String endpointName, String inferenceId, S3Location output,
            S3Location failure) {
        long deadline = System.nanoTime() + work.timeout().toNanos();
        Duration interval = settings.pollInterval();
        while (true) {
            if (exists(output)) {
                return;
            }
            if (failure != null && exists(failure)) {
                throw new InferenceFailure(work.describe() + ": SageMaker endpoint " + endpointName + " failed: "
                        + read(failure));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new InferenceFailure(work.describe() + ": SageMaker endpoint " + endpointName
                        + " gave no result within " + work.timeout().toSeconds() + " s (inference id " + inferenceId
                        + ", output location " + output + ")");
            }
            sleep(Math.min(interval.toNanos(), left));
        }
    }

    /** The staged request document's key, the same for every attempt at a segment. */
    String requestKey(SegmentWork work) {
        String prefix = settings.requestPrefix() == null ? "" : settings.requestPrefix().strip();
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        return prefix + work.segment().jobId() + "/" + (work.preview() ? "preview-" : "") + work.segment().index() + ".json";
    }

    /** At most 64 printable characters: a job id (36) and the five-digit segment index (a preview clip's after "p"). */
    static String inferenceId(SegmentWork work) {
        return (work.preview() ? "%s-p%05d" : "%s-%05d").formatted(work.segment().jobId(), work.segment().index());
    }

    private String endpointName() {
        String name = settings.endpointName();
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("reelroute.inference.backend=sagemaker-async needs "
                    + "reelroute.inference.sagemaker-async.endpoint-name (the asynchronous inference endpoint's name)");
        }
        return name.strip();
    }

    private String requestJson(SegmentWork work) {
        try {
            return mapper.writeValueAsString(work.request());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean exists(S3Location location) {
        try {
            s3.headObject(r -> r.bucket(location.bucket()).key(location.key()));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private String read(S3Location location) {
        String text = s3.getObjectAsBytes(r -> r.bucket(location.bucket()).key(location.key())).asUtf8String().strip();
        if (text.isEmpty()) {
            return "(empty error document at " + location + ")";
        }
        return text.length() <= FAILURE_TAIL ? text : "…" + text.substring(text.length() - FAILURE_TAIL);
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(Math.max(1, nanos / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a SageMaker result", e);
        }
    }

    /** An {@code s3://bucket/key} location, as SageMaker writes it (the key as is, not URL-encoded). */
    record S3Location(String bucket, String key) {

        static S3Location parse(String uri) {
            String text = uri.strip();
            int slash = text.indexOf('/', 5);
            if (!text.regionMatches(true, 0, "s3://", 0, 5) || slash <= 5 || slash == text.length() - 1) {
                throw new IllegalStateException("not an s3://bucket/key location: " + uri);
            }
            return new S3Location(text.substring(5, slash), text.substring(slash + 1));
        }

        @Override
        public String toString() {
            return "s3://" + bucket + "/" + key;
        }
    }
}
