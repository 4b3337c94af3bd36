package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelroute.aws.AwsResources;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.ResourceNames;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What route scenarios share: the clients of the running application and ways to wait on its outcomes. */
abstract class RouteScenarios {

    static final Duration PATIENCE = Duration.ofSeconds(120);

    @Autowired
    S3Client s3;
    @Autowired
    SqsClient sqs;
    @Autowired
    JobStore jobs;
    @Autowired
    AwsResources resources;
    @Autowired
    MeterRegistry meters;

    ResourceNames names() {
        return resources.names();
    }

    void upload(String key, Path file) {
        s3.putObject(r -> r.bucket(names().inputBucket()).key(key), RequestBody.fromFile(file));
    }

    void upload(String key, byte[] content) {
        s3.putObject(r -> r.bucket(names().inputBucket()).key(key), RequestBody.fromBytes(content));
    }

    void send(String queue, String body) {
        sqs.sendMessage(r -> r.queueUrl(resources.queueUrl(queue)).messageBody(body));
    }

    /** Waits for the status; a job that fails while another status is awaited fails the test with its reason. */
    Job awaitStatus(String jobId, JobStatus status) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> jobs.find(jobId).orElse(null), job -> {
                    if (job != null && job.status() == JobStatus.FAILED && status != JobStatus.FAILED) {
                        throw new AssertionError("job failed: " + job.failurePhase() + ": " + job.failureReason());
                    }
                    return job != null && job.status() == status;
                });
    }

    double count(String name, String... tags) {
        Counter counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    int messageCount(String queue) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(resources.queueUrl(queue))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    void awaitDrained(String queue) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> messageCount(queue) == 0);
    }

    /** Waits for the job to end; it must end failed (a completed job fails the test with its state). */
    Job awaitFailed(String jobId) {
        Job job = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> jobs.find(jobId).orElse(null), j -> j != null && j.status().isTerminal());
        assertThat(job.status()).as("job %s: %s", jobId, job).isEqualTo(JobStatus.FAILED);
        return job;
    }

    /** Every work queue of the pipeline drains (nothing is retried forever) and no DLQ holds anything. */
    void assertNothingLeft() {
        List<String> queues = List.of(names().chunkingQueue(), names().videoWorkerQueue(), names().reassemblyQueue());
        queues.forEach(this::awaitDrained);
        for (String queue : queues) {
            assertThat(messageCount(ResourceNames.dlq(queue))).as("messages in %s", ResourceNames.dlq(queue)).isZero();
        }
    }

    String s3Notification(String key) {
        return """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
                 "eventTime":"2026-11-22T10:00:00.000Z","eventName":"ObjectCreated:Put",
                 "s3":{"s3SchemaVersion":"1.0","bucket":{"name":"%s","arn":"arn:aws:s3:::%s"},
                       "object":{"key":"%s","size":1}}}]}
                """.formatted(names().inputBucket(), names().inputBucket(), key);
    }
}
