package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.testing.RouteTestSupport;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.SourceKey;
import io.reelroute.testing.EmbeddedEmulators;
import io.reelroute.testing.ModelServer;
import io.reelroute.testing.ModelServer.Behaviour;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The whole pipeline with the {@code http} backend against model servers that misbehave: one that hangs (the
 * segment timeout makes each attempt a model failure, and the job fails naming the segment and the timeout),
 * one that answers 200 with a body that is not JSON and writes nothing, one that claims success but writes
 * something that is not a video, and one that fails twice per segment before it succeeds (the job completes).
 * A job is never completed without every segment's output. The model server is started by the test and reads
 * and writes S3 (the embedded S3Mock) as the GPU inference container does.
 */
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
    "reelroute.sqs.wait-time-seconds=1",
    "reelroute.sqs.visibility-timeout-seconds=4",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.inference.backend=http",
    "reelroute.inference.concurrent-consumers=2",
    "reelroute.retries=2",
    "reelroute.retry-delay-ms=200",
    "reelroute.inference.segment-timeout=3s",
    "reelroute.inference.http.connect-timeout=2s",
    "reelroute.media.work-dir=target/test-work-faulty-model",
})
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = "reelroute.mode=embedded")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultyModelServerIT extends RouteTestSupport {

    static final ModelServer MODEL = new ModelServer();

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        EmbeddedEmulators.register(registry, EmbeddedEmulators.newDataDir());
        registry.add("reelroute.inference.http.url", MODEL::url);
    }

    @BeforeEach
    void connectModelToS3() {
        MODEL.s3 = s3;
    }

    @AfterAll
    static void stopModel() {
        MODEL.close();
    }

    @Test
    @Order(1)
    void aModelServerThatHangsFailsTheJobNamingTheSegmentAndTheTimeout() {
        String jobId = JobIds.newId();
        MODEL.behave(jobId, Behaviour.HANG);
        double failedBefore = count("reelroute.jobs.failed", "hop", "inference");
        try {
            upload(new SourceKey(jobId).key(), TestVideos.clip(8, 160, 120, true));

            Job job = awaitFailed(jobId);
            assertThat(job.failurePhase()).isEqualTo(FailurePhase.INFERENCE);
            assertThat(job.failureReason()).matches("segment [01]: the model server gave no answer within 3 s");
            assertNothingLeft();
            // The first attempt and two retries, each stopped at the segment timeout.
            assertAttemptsSpent(jobId, job);
            assertNoOutputs(jobId);
            assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
            // Both segments failed, the job once.
            assertThat(count("reelroute.jobs.failed", "hop", "inference") - failedBefore).isEqualTo(1);
        } finally {
            MODEL.releaseHangingRequests();
        }
    }

    @Test
    @Order(2)
    void aModelServerThatAnswers200WithoutJsonOrOutputFailsTheJobAfterItsRetries() {
        String jobId = JobIds.newId();
        MODEL.behave(jobId, Behaviour.NOT_JSON_AND_NO_OUTPUT);

        upload(new SourceKey(jobId).key(), TestVideos.clip(8, 160, 120, true));

        Job job = awaitFailed(jobId);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.INFERENCE);
        assertThat(job.failureReason()).matches("segment ([01]): the http backend reported success but "
                + "s3://" + names().outputBucket() + "/jobs/" + jobId + "/segments/\\1\\.mp4 does not exist");
        assertNothingLeft();
        assertAttemptsSpent(jobId, job);
        assertNoOutputs(jobId);
    }

    @Test
    @Order(3)
    void aModelServerThatWritesSomethingThatIsNotAVideoFailsTheJobRatherThanCompletingIt() {
        String jobId = JobIds.newId();
        MODEL.behave(jobId, Behaviour.NOT_A_VIDEO);

        upload(new SourceKey(jobId).key(), TestVideos.clip(8, 160, 120, true));

        Job job = awaitFailed(jobId);
        // Each segment's output is checked before it counts as complete: the reason names the segment and what is wrong.
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.INFERENCE);
        assertThat(job.failureReason()).matches("segment [01]: the model's output is not a readable video")
                .doesNotContain("test-work-faulty-model");
        assertNothingLeft();
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix(OutputKeys.finalVideo(jobId))).contents())
                .isEmpty();
    }

    @Test
    @Order(4)
    void aModelServerThatFailsTwicePerSegmentIsRetriedAndTheJobCompletes(@TempDir Path tmp) {
        Path source = TestVideos.clip(8, 160, 120, true);
        String jobId = JobIds.newId();
        MODEL.behave(jobId, Behaviour.FAIL_TWICE);

        upload(new SourceKey(jobId).key(), source);

        Job job = awaitStatus(jobId, JobStatus.COMPLETED);
        assertThat(job.completedSegments()).isEqualTo(2);
        assertThat(MODEL.attempts(jobId, 2)).as("two server errors, then success, per segment").containsExactly(3, 3);
        Path result = tmp.resolve("final.mp4");
        s3.getObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.finalVideo(jobId)), result);
        assertThat(TestVideos.durationSeconds(result)).isCloseTo(TestVideos.durationSeconds(source), within(0.5));
        assertNothingLeft();
    }

    // --- helpers -------------------------------------------------------------------------------------

    /**
     * The segment the failure names used its first attempt and both retries; the other segment got no more than
     * that, and may have got fewer, because a segment of a job that has already failed is not sent again.
     */
    void assertAttemptsSpent(String jobId, Job job) {
        int failed = Integer.parseInt(job.failureReason().replaceFirst("^segment (\\d+) of .*", "$1"));
        List<Integer> attempts = MODEL.attempts(jobId, 2);
        assertThat(attempts.get(failed)).as("attempts of the failed segment %d", failed).isEqualTo(3);
        assertThat(attempts).allSatisfy(n -> assertThat(n).isBetween(0, 3));
    }

    void assertNoOutputs(String jobId) {
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix("jobs/" + jobId + "/")).contents())
                .extracting(S3Object::key).isEmpty();
    }
}
