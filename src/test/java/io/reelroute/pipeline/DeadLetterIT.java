package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The DLQ hop on the embedded emulators: a message that keeps failing reaches its DLQ through the queue's
 * redrive policy and its job ends failed with the phase and the last error; dead letters of every queue are
 * kept in the output bucket and counted, including ones that name no job.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.sqs.wait-time-seconds=1",
    "reelroute.sqs.visibility-timeout-seconds=1",
    "reelroute.sqs.max-receive-count=2",
    "reelroute.retries=0",
    "reelroute.inference.backend=http",
    "reelroute.inference.http.url=http://127.0.0.1:9",
    "reelroute.inference.http.connect-timeout=1s",
    "reelroute.media.work-dir=target/test-work-dlq",
})
class DeadLetterIT extends RouteTestSupport {

    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aSegmentThatKeepsFailingEndsItsJobFailedWithTheLastError() throws Exception {
        // The model server is unreachable: not the segment's fault, so every delivery is left for another.
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.startChunking(jobId);
        jobs.chunkingComplete(jobId, 1);
        String segment = new SegmentKey(jobId, 0, Mode.SBS).key();
        s3.putObject(r -> r.bucket(resources.names().inputBucket()).key(segment), RequestBody.fromString("segment"));

        Job failed = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElseThrow(),
                job -> job.status() == JobStatus.FAILED);
        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.INFERENCE);
        assertThat(failed.failureReason()).contains("gave up after 2 deliveries from the video-worker queue")
                .contains("last error: inference: ");
        JsonNode copy = kept(failed.deadLetterKey());
        assertThat(failed.deadLetterKey()).startsWith("dead-letters/video-worker/" + jobId + "/");
        assertThat(copy.get("body").asText()).contains(segment);
        assertThat(copy.get("attributes").get("ApproximateReceiveCount").asText()).isEqualTo("3");
        // The dead-letter hop counts after it has failed the job.
        await().atMost(PATIENCE).until(() -> counted("video-worker", "JOB_FAILED") == 1);
        assertQueuesEmpty("video-worker");
    }

    @Test
    void deadLettersOfEveryQueueAreKeptAndCounted() throws Exception {
        // A reassembly message for an unfinished job: failed in phase reassembly.
        String waiting = JobIds.newId();
        jobs.createIfAbsent(waiting, Mode.SBS);
        jobs.startChunking(waiting);
        jobs.chunkingComplete(waiting, 2);
        sqs.sendMessage(r -> r.queueUrl(resources.queueUrl(dlq("reassembly"))).messageBody("{\"job_id\":\"" + waiting + "\"}"));
        // An upload event for a completed job: the job stays completed.
        String done = JobIds.newId();
        jobs.createIfAbsent(done, Mode.SBS);
        jobs.complete(done);
        sqs.sendMessage(r -> r.queueUrl(resources.queueUrl(dlq("chunking")))
                .messageBody(notification(resources.names().inputBucket(), "input/" + done + "/source.mp4")));
        // A MediaConvert event that kept failing: the package fails, the job stays completed.
        String packaging = JobIds.newId();
        jobs.createIfAbsent(packaging, Mode.SBS);
        jobs.complete(packaging);
        jobs.hlsSubmitted(packaging, "mc-1");
        sqs.sendMessage(r -> r.queueUrl(resources.queueUrl(dlq("transcode-events"))).messageBody("""
                {"version":"0","id":"e1","detail-type":"MediaConvert Job State Change","source":"aws.mediaconvert",
                 "detail":{"status":"PROGRESSING","jobId":"mc-1","userMetadata":{"job_id":"%s"}}}""".formatted(packaging)));
        // Garbage names no job.
        sqs.sendMessage(r -> r.queueUrl(resources.queueUrl(dlq("chunking"))).messageBody("{not json"));

        Job reassembly = await().atMost(PATIENCE).until(() -> jobs.find(waiting).orElseThrow(),
                job -> job.status() == JobStatus.FAILED);
        assertThat(reassembly.failurePhase()).isEqualTo(FailurePhase.REASSEMBLY);
        assertThat(reassembly.failureReason()).contains("reassembly queue").contains("last error: none recorded");
        Job hls = await().atMost(PATIENCE).until(() -> jobs.find(packaging).orElseThrow(),
                job -> job.hls() != null && job.hls().status() == HlsStatus.FAILED);
        assertThat(hls.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(hls.hls().errorCode()).isEqualTo("DeadLetter");
        await().atMost(PATIENCE).until(() -> counted("chunking", "NO_JOB") == 1 && counted("chunking", "JOB_ALREADY_ENDED") == 1);
        assertThat(jobs.find(done).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        List<String> unknown = keys("dead-letters/chunking/unknown/");
        assertThat(unknown).hasSize(1);
        assertThat(kept(unknown.get(0)).get("body").asText()).isEqualTo("{not json");
        assertThat(keys("dead-letters/chunking/" + done + "/")).hasSize(1);
        assertQueuesEmpty("chunking");
        assertQueuesEmpty("reassembly");
        assertQueuesEmpty("transcode-events");
    }

    /** A work queue's full name from its short name. */
    private String queue(String shortName) {
        return resources.names().queues().stream().filter(q -> q.endsWith("-" + shortName)).findFirst().orElseThrow();
    }

    private String dlq(String queue) {
        return ResourceNames.dlq(queue(queue));
    }

    private double counted(String queue, String outcome) {
        var counter = meters.find("reelroute.messages.dead_lettered").tag("queue", queue).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private JsonNode kept(String key) throws Exception {
        return mapper.readTree(s3.getObjectAsBytes(r -> r.bucket(resources.names().outputBucket()).key(key)).asByteArray());
    }

    private List<String> keys(String prefix) {
        return s3.listObjectsV2(r -> r.bucket(resources.names().outputBucket()).prefix(prefix)).contents().stream()
                .map(S3Object::key).toList();
    }

    private void assertQueuesEmpty(String queue) {
        for (String name : List.of(queue(queue), dlq(queue))) {
            await().atMost(PATIENCE).untilAsserted(() -> {
                var attributes = sqs.getQueueAttributes(r -> r.queueUrl(resources.queueUrl(name))
                        .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                        .attributesAsStrings();
                assertThat(attributes.get("ApproximateNumberOfMessages")).as(name).isEqualTo("0");
                assertThat(attributes.get("ApproximateNumberOfMessagesNotVisible")).as(name).isEqualTo("0");
            });
        }
    }

    private static String notification(String bucket, String key) {
        return """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
                 "s3":{"bucket":{"name":"%s"},"object":{"key":"%s","size":1}}}]}""".formatted(bucket, key);
    }
}
