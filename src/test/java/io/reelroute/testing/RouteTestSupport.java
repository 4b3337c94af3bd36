package io.reelroute.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelroute.api.ApiAuth;
import io.reelroute.aws.AwsResources;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.pipelines.Pipelines;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A JUnit 5 base class for tests of routes against the running application, whatever its endpoint (the embedded
 * emulators with {@link EmbeddedDefaultTest}, moto, LocalStack or Floci): the application's own AWS clients, and
 * ways to start jobs, send messages, wait on outcomes and check that nothing is left in the queues.
 */
public abstract class RouteTestSupport {

    protected static final Duration PATIENCE = Duration.ofSeconds(120);

    @Autowired
    protected S3Client s3;
    @Autowired
    protected SqsClient sqs;
    @Autowired
    protected JobStore jobs;
    @Autowired
    protected AwsResources resources;
    @Autowired
    protected MeterRegistry meters;
    @Autowired
    protected Pipelines pipelines;

    protected ResourceNames names() {
        return resources.names();
    }

    protected void upload(String key, Path file) {
        s3.putObject(r -> r.bucket(names().inputBucket()).key(key), RequestBody.fromFile(file));
    }

    protected void upload(String key, byte[] content) {
        s3.putObject(r -> r.bucket(names().inputBucket()).key(key), RequestBody.fromBytes(content));
    }

    /**
     * Starts a job of {@code pipeline} with {@code paramsJson} (checked and completed by the pipeline's schema, as
     * POST /jobs does), owned by the local user, by uploading {@code video} as its source; returns its id.
     */
    protected String startJob(String pipeline, String paramsJson, Path video) {
        String jobId = JobIds.newId();
        try {
            jobs.createIfAbsent(jobId, pipeline, pipelines.resolve(pipeline, new ObjectMapper().readTree(paramsJson)),
                    ApiAuth.LOCAL_SUBJECT, null);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("params are not JSON: " + paramsJson, e);
        }
        upload(SourceKey.keyFor(jobId), video);
        return jobId;
    }

    /** Waits for the job's HLS package to reach {@code status}; a packaging failure fails the test with its reason. */
    protected Job.Hls awaitHls(String jobId, HlsStatus status) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> jobs.find(jobId).map(Job::hls).orElse(null), hls -> {
                    if (hls != null && hls.status() == HlsStatus.FAILED && status != HlsStatus.FAILED) {
                        throw new AssertionError("HLS packaging failed: " + hls.errorCode() + ": " + hls.errorMessage());
                    }
                    return hls != null && hls.status() == status;
                });
    }

    /** An object of the output bucket, written to {@code target}. */
    protected Path download(String outputKey, Path target) {
        s3.getObject(r -> r.bucket(names().outputBucket()).key(outputKey), target);
        return target;
    }

    protected void send(String queue, String body) {
        sqs.sendMessage(r -> r.queueUrl(resources.queueUrl(queue)).messageBody(body));
    }

    /** Waits for the status; a job that fails while another status is awaited fails the test with its reason. */
    protected Job awaitStatus(String jobId, JobStatus status) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> jobs.find(jobId).orElse(null), job -> {
                    if (job != null && job.status() == JobStatus.FAILED && status != JobStatus.FAILED) {
                        throw new AssertionError("job failed: " + job.failurePhase() + ": " + job.failureReason());
                    }
                    return job != null && job.status() == status;
                });
    }

    protected double count(String name, String... tags) {
        Counter counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    protected int messageCount(String queue) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(resources.queueUrl(queue))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    protected void awaitDrained(String queue) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> messageCount(queue) == 0);
    }

    /** Waits for the job to end; it must end failed (a completed job fails the test with its state). */
    protected Job awaitFailed(String jobId) {
        Job job = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> jobs.find(jobId).orElse(null), j -> j != null && j.status().isTerminal());
        assertThat(job.status()).as("job %s: %s", jobId, job).isEqualTo(JobStatus.FAILED);
        return job;
    }

    /** Every work queue of the pipeline drains (nothing is retried forever) and no DLQ holds anything. */
    /** Every object of the job in either bucket: its source, tracks, segments and outputs. */
    protected List<String> objectsOf(String jobId) {
        List<String> keys = new ArrayList<>();
        for (String prefix : List.of("input/", "segments/", "tracks/")) {
            s3.listObjectsV2Paginator(r -> r.bucket(names().inputBucket()).prefix(prefix + jobId)).contents()
                    .forEach(o -> keys.add(o.key()));
        }
        s3.listObjectsV2Paginator(r -> r.bucket(names().outputBucket()).prefix("jobs/" + jobId)).contents()
                .forEach(o -> keys.add(o.key()));
        return keys;
    }

    protected void assertNothingLeft() {
        List<String> queues = List.of(names().chunkingQueue(), names().videoWorkerQueue(), names().reassemblyQueue());
        queues.forEach(this::awaitDrained);
        for (String queue : queues) {
            assertThat(messageCount(ResourceNames.dlq(queue))).as("messages in %s", ResourceNames.dlq(queue)).isZero();
        }
    }

    protected String s3Notification(String key) {
        return """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
                 "eventTime":"2026-11-22T10:00:00.000Z","eventName":"ObjectCreated:Put",
                 "s3":{"s3SchemaVersion":"1.0","bucket":{"name":"%s","arn":"arn:aws:s3:::%s"},
                       "object":{"key":"%s","size":1}}}]}
                """.formatted(names().inputBucket(), names().inputBucket(), key);
    }
}
