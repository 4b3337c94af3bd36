package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
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
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Poison input through the whole pipeline on the embedded default: every bad upload or message ends its job
 * {@code failed} with the phase and a reason a person can act on, or is dropped and counted in
 * {@code reelroute.messages.dropped{hop,reason}}. Nothing loops: after each case every queue is empty and no
 * dead-letter queue holds anything. The last case shows that a good video still goes all the way through.
 */
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
    "reelroute.sqs.wait-time-seconds=1",
    // Short, so that a message that is not removed comes back (and would show up) within the test.
    "reelroute.sqs.visibility-timeout-seconds=4",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.inference.concurrent-consumers=2",
    "reelroute.retry-delay-ms=200",
    "reelroute.media.work-dir=target/test-work-poison",
})
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = "reelroute.mode=embedded")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoisonInputIT extends RouteTestSupport {

    /** Just under SQS's largest message body (256 KiB). */
    static final int NEAR_MAX_MESSAGE_BYTES = 250 * 1024;

    @DynamicPropertySource
    static void embedded(DynamicPropertyRegistry registry) {
        EmbeddedEmulators.register(registry, EmbeddedEmulators.newDataDir());
    }

    // --- uploads that are not a usable video: the job fails with the phase and a reason ----------------------

    @Test
    @Order(1)
    void aTextFileNamedMp4FailsTheJobInPhaseProbe() {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), "this is a text file, not a video\n".repeat(100).getBytes(StandardCharsets.UTF_8));

        Job job = awaitFailed(jobId);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.failureReason()).startsWith("the source is not a decodable video: ")
                .contains("source: Invalid data found when processing input")
                .doesNotContain("test-work-poison");
        assertNothingWrittenFor(jobId);
        assertNothingLeft();
    }

    @Test
    @Order(2)
    void aZeroByteUploadFailsTheJobInPhaseProbe() {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), new byte[0]);

        Job job = awaitFailed(jobId);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.failureReason()).isEqualTo("the source is empty (0 bytes)");
        assertNothingWrittenFor(jobId);
        assertNothingLeft();
    }

    @Test
    @Order(3)
    void anUploadCutOffHalfwayFailsTheJobInPhaseProbe() {
        // As ffmpeg writes an MP4 by default: the index (moov) after the media data, so half the file has none.
        Path clip = TestVideos.clip(8, 160, 120, true);
        assertThat(TestVideos.indexFirst(clip)).isFalse();
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), TestVideos.firstHalf(clip));

        Job job = awaitFailed(jobId);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.failureReason()).startsWith("the source is not a decodable video: ").contains("moov atom not found");
        assertNothingWrittenFor(jobId);
        assertNothingLeft();
    }

    @Test
    @Order(4)
    void aWebOptimisedUploadCutOffHalfwayFailsTheJobRatherThanCompletingHalfAVideo() {
        // The index comes first, so ffprobe reads the full duration from it, but half the media data is missing.
        Path clip = TestVideos.faststart(TestVideos.clip(8, 160, 120, true));
        assertThat(TestVideos.indexFirst(clip)).isTrue();
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), TestVideos.firstHalf(clip));

        Job job = awaitFailed(jobId);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.CHUNKING);
        assertThat(job.failureReason()).matches("the source is truncated or damaged: its picture ends at [0-9.]+ s "
                + "of the 8\\.[0-9]+ s it declares; upload the whole file again, or export it again if it is damaged");
        // The first segment was handed on before the split reached the cut: the failed split takes it back.
        await().atMost(PATIENCE).untilAsserted(() -> assertNothingWrittenFor(jobId));
        assertNothingLeft();
    }

    @Test
    @Order(5)
    void anAudioOnlyUploadFailsTheJobInPhaseProbe() {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), TestVideos.audioOnly(3));

        Job job = awaitFailed(jobId);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.failureReason()).isEqualTo("the source has no video stream (it is audio only)");
        assertNothingWrittenFor(jobId);
        assertNothingLeft();
    }

    /**
     * A stream-copy split cuts only at keyframes: a video with one keyframe becomes one segment, however long,
     * and the job completes with the whole video.
     */
    @Test
    @Order(6)
    void aVideoWithOneKeyframeBecomesOneSegmentAndCompletes(@TempDir Path tmp) {
        Path source = TestVideos.clipWithOneKeyframe(12, 160, 120);
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), source);

        Job job = awaitStatus(jobId, JobStatus.COMPLETED);
        assertThat(job.totalSegments()).isEqualTo(1);
        assertThat(job.completedSegments()).isEqualTo(1);
        Path result = tmp.resolve("final.mp4");
        s3.getObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.finalVideo(jobId)), result);
        assertThat(TestVideos.durationSeconds(result)).isCloseTo(12.0, within(0.5));
        assertNothingLeft();
    }

    // --- keys outside the layout: dropped and counted, no job ------------------------------------------------

    /**
     * The layout has one source name, {@code input/{job_id}/source.mp4}; a user's file name (here with a space
     * and an umlaut, which the notification carries form-URL-encoded) is outside it.
     */
    @Test
    @Order(7)
    void aSourceNamedWithSpacesAndUnicodeIsOutsideTheLayoutAndIsDroppedAndCounted() {
        String jobId = JobIds.newId();
        double before = dropped("upload-event", "key-outside-layout");

        upload("input/" + jobId + "/my clip ü.mp4", TestVideos.clip(8, 160, 120, true));

        awaitDropped("upload-event", "key-outside-layout", before);
        assertThat(jobs.find(jobId)).isEmpty();
        assertNothingWrittenFor(jobId);
    }

    @Test
    @Order(8)
    void aKeyOutsideTheLayoutIsDroppedAndCounted() {
        // An upper-case UUID: job ids are lower-case, so that one job has one key.
        String jobId = JobIds.newId();
        double before = dropped("upload-event", "key-outside-layout");

        upload("input/" + jobId.toUpperCase(Locale.ROOT) + "/source.mp4", TestVideos.clip(8, 160, 120, true));

        awaitDropped("upload-event", "key-outside-layout", before);
        assertThat(jobs.find(jobId)).isEmpty();
        assertThat(jobs.find(jobId.toUpperCase(Locale.ROOT))).isEmpty();
    }

    @Test
    @Order(9)
    void aSegmentKeyOutsideTheLayoutIsDroppedAndCountedByTheInferenceHop() {
        String jobId = JobIds.newId();
        double before = dropped("inference", "key-outside-layout");

        upload("segments/" + jobId + "/clip.mp4", TestVideos.clip(8, 160, 120, true));

        awaitDropped("inference", "key-outside-layout", before);
        assertThat(jobs.find(jobId)).isEmpty();
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix("jobs/" + jobId + "/")).contents()).isEmpty();
    }

    // --- messages that are not what a queue carries: dropped and counted ------------------------------------

    @Test
    @Order(10)
    void malformedJsonOnTheChunkingQueueIsDroppedAndCounted() {
        double before = dropped("upload-event", "unrecognized");

        send(names().chunkingQueue(), "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{");

        awaitDropped("upload-event", "unrecognized", before);
    }

    @Test
    @Order(11)
    void aMessageNearTheSqsSizeLimitOnTheChunkingQueueIsDroppedAndCounted() {
        // An S3 notification of 250 KiB whose records are all removals: nothing in it is an upload.
        String body = padded("{\"Records\":[", "{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectRemoved:Delete\","
                + "\"s3\":{\"bucket\":{\"name\":\"" + names().inputBucket() + "\"},\"object\":{\"key\":\"input/x/source.mp4\"}}}", ",", "]}");
        double before = dropped("upload-event", "unrecognized");

        send(names().chunkingQueue(), body);

        awaitDropped("upload-event", "unrecognized", before);
    }

    @Test
    @Order(12)
    void aMessageNearTheSqsSizeLimitOnTheVideoWorkerQueueIsDroppedAndCounted() {
        String body = padded("{\"note\":\"", "not a segment event ", "", "\"}");
        double before = dropped("inference", "unrecognized");

        send(names().videoWorkerQueue(), body);

        awaitDropped("inference", "unrecognized", before);
    }

    // --- messages about jobs that do not exist: dropped and counted, no job created ------------------------

    @Test
    @Order(13)
    void aSegmentEventOfAnUnknownJobIsDroppedAndCounted() {
        String jobId = JobIds.newId();
        double before = dropped("inference", "no-such-job");
        double failedBefore = count("reelroute.jobs.failed", "hop", "inference");

        // The notification alone: no such job, and no such segment object either.
        send(names().videoWorkerQueue(), s3Notification("segments/" + jobId + "/00000_sbs.mp4"));

        awaitDropped("inference", "no-such-job", before);
        assertThat(jobs.find(jobId)).isEmpty();
        assertThat(count("reelroute.jobs.failed", "hop", "inference")).as("no job failed: there is none").isEqualTo(failedBefore);
        assertNothingWrittenFor(jobId);
    }

    @Test
    @Order(14)
    void aSegmentObjectOfAnUnknownJobIsDroppedAndCountedWithoutRunningTheModel(@TempDir Path tmp) {
        String jobId = JobIds.newId();
        List<Path> segments = TestVideos.split(TestVideos.clip(4, 160, 120, true), 4, tmp);
        double before = dropped("inference", "no-such-job");

        upload("segments/" + jobId + "/00000_sbs.mp4", segments.get(0));

        // The hop reads the job's params before the model runs: no job, no model time spent on it.
        awaitDropped("inference", "no-such-job", before);
        assertThat(jobs.find(jobId)).isEmpty();
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix("jobs/" + jobId + "/")).contents()).isEmpty();
    }

    @Test
    @Order(15)
    void aReassemblyMessageOfAnUnknownJobIsDroppedAndCounted() {
        String jobId = JobIds.newId();
        double before = dropped("reassembly", "job-not-ready");

        send(names().reassemblyQueue(), "{\"job_id\": \"" + jobId + "\"}");

        awaitDropped("reassembly", "job-not-ready", before);
        assertThat(jobs.find(jobId)).isEmpty();
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix("jobs/" + jobId + "/")).contents()).isEmpty();
    }

    // --- and afterwards, a good video still goes all the way through --------------------------------------

    @Test
    @Order(100)
    void aGoodVideoStillCompletesAfterThePoison(@TempDir Path tmp) {
        Path source = TestVideos.clip(8, 160, 120, true);
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), source);

        Job job = awaitStatus(jobId, JobStatus.COMPLETED);
        assertThat(job.totalSegments()).isEqualTo(2);
        assertThat(job.completedSegments()).isEqualTo(2);
        Path result = tmp.resolve("final.mp4");
        s3.getObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.finalVideo(jobId)), result);
        assertThat(TestVideos.durationSeconds(result)).isCloseTo(TestVideos.durationSeconds(source), within(0.5));
        assertThat(TestVideos.videoSize(result)).containsExactly(320, 120);
        assertNothingLeft();
    }

    // --- helpers -------------------------------------------------------------------------------------

    double dropped(String hop, String reason) {
        return count("reelroute.messages.dropped", "hop", hop, "reason", reason);
    }

    /** The message is dropped and counted exactly once, and nothing is left on any queue. */
    void awaitDropped(String hop, String reason, double before) {
        await().atMost(PATIENCE).until(() -> dropped(hop, reason) > before);
        assertNothingLeft();
        assertThat(dropped(hop, reason) - before).as("reelroute.messages.dropped{hop=%s,reason=%s}", hop, reason).isEqualTo(1);
    }

    /** No segment of the job in the input bucket, and no output of it in the output bucket. */
    void assertNothingWrittenFor(String jobId) {
        assertThat(s3.listObjectsV2(r -> r.bucket(names().inputBucket()).prefix("segments/" + jobId + "/")).contents())
                .extracting(S3Object::key).isEmpty();
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix("jobs/" + jobId + "/")).contents())
                .extracting(S3Object::key).isEmpty();
    }

    /** {@code head}, then {@code item} repeated (joined by {@code separator}) up to 250 KiB, then {@code tail}. */
    static String padded(String head, String item, String separator, String tail) {
        StringBuilder body = new StringBuilder(head).append(item);
        while (body.length() + separator.length() + item.length() + tail.length() <= NEAR_MAX_MESSAGE_BYTES) {
            body.append(separator).append(item);
        }
        while (body.length() + tail.length() < NEAR_MAX_MESSAGE_BYTES && separator.isEmpty()) {
            body.append(' ');
        }
        String message = body.append(tail).toString();
        assertThat(message.getBytes(StandardCharsets.UTF_8).length).isBetween(NEAR_MAX_MESSAGE_BYTES - item.length() - 2, NEAR_MAX_MESSAGE_BYTES);
        return message;
    }
}
