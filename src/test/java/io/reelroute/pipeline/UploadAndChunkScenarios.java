package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import io.reelroute.testing.RouteTestSupport;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.SourceKey;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The upload-event and chunk hops, end to end through real AWS protocols: an object written to the input
 * bucket becomes a notification on the chunking queue (sent by the emulator itself, or by the embedded
 * bridge), a job record and canonical segment objects. Subclasses choose the AWS endpoint.
 */
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
    "reelroute.sqs.wait-time-seconds=1",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.chunking.concurrent-consumers=2",
    "reelroute.media.work-dir=" + UploadAndChunkScenarios.WORK_DIR,
    // These tests read the video-worker queue themselves: no inference consumer may take its messages.
    "reelroute.routes.enabled=upload-event,embedded-*",
})
abstract class UploadAndChunkScenarios extends RouteTestSupport {

    static final String WORK_DIR = "target/test-work";

    @Test
    void anUploadedVideoBecomesCanonicalSegmentsOfTheConfiguredDuration(@TempDir Path tmp) throws IOException {
        Path source = TestVideos.clip(12, 320, 240, true);
        String jobId = JobIds.newId();

        upload(new SourceKey(jobId).key(), source);

        Job job = awaitStatus(jobId, JobStatus.CHUNKING_COMPLETE);
        assertThat(job.totalSegments()).isEqualTo(3);
        assertThat(job.mode()).isEqualTo(Mode.SBS);
        List<String> expectedKeys = IntStream.range(0, 3).mapToObj(i -> new SegmentKey(jobId, i, Mode.SBS).key()).toList();
        assertThat(segmentObjects(jobId)).extracting(S3Object::key).containsExactlyElementsOf(expectedKeys);

        double total = 0;
        for (String key : expectedKeys) {
            Path segment = tmp.resolve(Path.of(key).getFileName());
            s3.getObject(r -> r.bucket(names().inputBucket()).key(key), segment);
            double duration = TestVideos.durationSeconds(segment);
            assertThat(duration).as("duration of %s", key).isCloseTo(4.0, within(0.6));
            assertThat(TestVideos.streamTypes(segment)).containsExactly("video", "audio");
            total += duration;
        }
        assertThat(total).isCloseTo(TestVideos.durationSeconds(source), within(0.5));

        // Each segment is announced on the video-worker queue once, as AWS would.
        assertThat(segmentNotifications(jobId, 3)).containsExactlyInAnyOrderElementsOf(expectedKeys);
        awaitDrained(names().chunkingQueue());
        awaitWorkFolderRemoved(jobId);
    }

    @Test
    void aFileThatIsNotAVideoFailsTheJobInPhaseProbe() {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), "this is a text file, not a video\n".repeat(100).getBytes());

        Job job = awaitStatus(jobId, JobStatus.FAILED);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.failureReason()).startsWith("the source is not a decodable video");
        assertThat(segmentObjects(jobId)).isEmpty();
        awaitDrained(names().chunkingQueue());
        awaitWorkFolderRemoved(jobId);
        assertThat(messageCount(ResourceNames.dlq(names().chunkingQueue()))).isZero();
    }

    @Test
    void anEmptyUploadFailsTheJobInPhaseProbe() {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), new byte[0]);

        Job job = awaitStatus(jobId, JobStatus.FAILED);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.failureReason()).isEqualTo("the source is empty (0 bytes)");
        awaitDrained(names().chunkingQueue());
    }

    @Test
    void anAudioOnlyUploadFailsTheJobWithAReason() {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), TestVideos.audioOnly(3));

        Job job = awaitStatus(jobId, JobStatus.FAILED);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.failureReason()).contains("no video stream");
    }

    @Test
    void aKeyOutsideTheLayoutIsCountedAndRemoved() {
        double before = dropped("key-outside-layout");
        upload("input/not-a-job-id/source.mp4", "x".getBytes());

        await().atMost(PATIENCE).until(() -> dropped("key-outside-layout") > before);
        awaitDrained(names().chunkingQueue());
        assertThat(messageCount(ResourceNames.dlq(names().chunkingQueue()))).isZero();
    }

    @Test
    void anS3TestEventIsAcknowledgedAndDropped() {
        double before = dropped("test-event");
        send(names().chunkingQueue(), """
                {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T10:00:00.000Z",
                 "Bucket":"%s","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}
                """.formatted(names().inputBucket()));

        await().atMost(PATIENCE).until(() -> dropped("test-event") > before);
        awaitDrained(names().chunkingQueue());
    }

    @Test
    void aMessageOfUnknownShapeIsCountedAndRemoved() {
        double before = dropped("unrecognized");
        send(names().chunkingQueue(), "definitely { not json");

        await().atMost(PATIENCE).until(() -> dropped("unrecognized") > before);
        awaitDrained(names().chunkingQueue());
        assertThat(messageCount(ResourceNames.dlq(names().chunkingQueue()))).isZero();
    }

    @Test
    void aRepeatedNotificationForAChunkedJobDoesNothing() {
        String jobId = JobIds.newId();
        String key = new SourceKey(jobId).key();
        upload(key, TestVideos.clip(12, 320, 240, true));
        awaitStatus(jobId, JobStatus.CHUNKING_COMPLETE);
        List<Instant> written = segmentObjects(jobId).stream().map(S3Object::lastModified).toList();
        double before = dropped("job-past-chunking");

        send(names().chunkingQueue(), s3Notification(key));

        await().atMost(PATIENCE).until(() -> dropped("job-past-chunking") > before);
        awaitDrained(names().chunkingQueue());
        Job job = jobs.find(jobId).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.CHUNKING_COMPLETE);
        assertThat(job.totalSegments()).isEqualTo(3);
        assertThat(segmentObjects(jobId).stream().map(S3Object::lastModified).toList()).isEqualTo(written);
    }

    @Test
    void aJobCreatedBeforeTheUploadKeepsItsMode() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.ANAGLYPH);
        upload(new SourceKey(jobId).key(), TestVideos.clip(12, 320, 240, true));

        Job job = awaitStatus(jobId, JobStatus.CHUNKING_COMPLETE);
        assertThat(segmentObjects(jobId)).extracting(S3Object::key)
                .containsExactly(new SegmentKey(jobId, 0, Mode.ANAGLYPH).key(),
                        new SegmentKey(jobId, 1, Mode.ANAGLYPH).key(), new SegmentKey(jobId, 2, Mode.ANAGLYPH).key());
        assertThat(job.mode()).isEqualTo(Mode.ANAGLYPH);
    }

    // --- helpers -------------------------------------------------------------------------------------

    List<S3Object> segmentObjects(String jobId) {
        return s3.listObjectsV2(r -> r.bucket(names().inputBucket()).prefix("segments/" + jobId + "/")).contents();
    }

    double dropped(String reason) {
        return count("reelroute.messages.dropped", "reason", reason);
    }

    /**
     * Reads the video-worker queue until {@code expected} notifications for the job's segments arrived, then
     * waits a little longer to see that none comes twice; returns the keys seen, one entry per notification.
     */
    List<String> segmentNotifications(String jobId, int expected) {
        String url = resources.queueUrl(names().videoWorkerQueue());
        List<String> keys = new ArrayList<>();
        long settleUntil = Long.MAX_VALUE;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < Math.min(deadline, settleUntil)) {
            for (Message message : sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                String body = java.net.URLDecoder.decode(message.body(), java.nio.charset.StandardCharsets.UTF_8);
                IntStream.range(0, expected).mapToObj(i -> "segments/" + jobId + "/" + String.format("%05d_", i))
                        .filter(body::contains)
                        .forEach(prefix -> keys.add(prefix + body.substring(body.indexOf(prefix) + prefix.length()).split("\"")[0]));
                sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(message.receiptHandle()));
            }
            if (keys.size() >= expected && settleUntil == Long.MAX_VALUE) {
                settleUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            }
        }
        return keys;
    }

    /** The chunk hop's folder on disk is gone after success and after failure. */
    void awaitWorkFolderRemoved(String jobId) {
        await().atMost(PATIENCE).until(() -> {
            try (var folders = Files.list(Path.of(WORK_DIR))) {
                return folders.noneMatch(p -> p.getFileName().toString().startsWith("chunk-" + jobId));
            }
        });
    }
}
