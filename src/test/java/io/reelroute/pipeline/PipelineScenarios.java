package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;


import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Hop;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.Rendition;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.SourceKey;
import io.reelroute.contract.Tables;
import io.reelroute.contract.Timeline;
import io.reelroute.store.ReassemblyLocks;
import io.reelroute.store.SegmentCompletionStore;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The whole pipeline through real AWS protocols and real ffmpeg: upload → chunks → inference per segment in
 * parallel → completions aggregated → reassembly triggered once → final.mp4. Subclasses choose the endpoint.
 */
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
    "reelroute.sqs.wait-time-seconds=1",
    // Short, so that a message left for redelivery (a held lock) comes back within the test.
    "reelroute.sqs.visibility-timeout-seconds=4",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.inference.concurrent-consumers=2",
    "reelroute.retry-delay-ms=200",
    "reelroute.media.work-dir=" + PipelineScenarios.WORK_DIR,
})
abstract class PipelineScenarios extends RouteTestSupport {

    static final String WORK_DIR = "target/test-work-pipeline";

    @Autowired
    DynamoDbClient dynamoDb;
    @Autowired
    SegmentCompletionStore completions;
    @Autowired
    ReassemblyLocks locks;
    @Autowired
    CamelContext camel;

    /**
     * The renditions pipeline, built from the kit's hops with YAML and a params schema: MP4 renditions at the rungs the
     * source can fill (never upscaled), the largest as final.mp4, a poster still, its HLS package, and no segments or
     * model at all.
     */
    @Test
    void theRenditionsPipelineMakesMp4RenditionsAndHlsWithoutSegments(@TempDir Path tmp) throws Exception {
        Path source = TestVideos.clip(4, 1280, 720, true);
        String jobId = startJob("renditions", "{\"heights\": [1080, 720, 360], \"crf\": 30, \"audio_kbps\": 96}", source);

        Job job = awaitStatus(jobId, JobStatus.COMPLETED);
        assertThat(job.renditions()).extracting(Rendition::width, Rendition::height)
                .containsExactly(tuple(1280, 720), tuple(640, 360));
        for (Rendition rendition : job.renditions()) {
            Path file = download(rendition.key(), tmp.resolve(rendition.height() + ".mp4"));
            assertThat(TestVideos.videoSize(file)).containsExactly(rendition.width(), rendition.height());
            assertThat(TestVideos.codecs(file)).containsExactly("h264", "aac");
            assertThat(TestVideos.indexFirst(file)).as("faststart").isTrue();
            assertThat(TestVideos.durationSeconds(file)).isCloseTo(TestVideos.durationSeconds(source), within(0.3));
            double bitrate = Files.size(file) * 8 / TestVideos.durationSeconds(source);
            assertThat((double) rendition.bitrate()).isCloseTo(bitrate, within(bitrate * 0.05));
        }
        Path finalVideo = download(OutputKeys.finalVideo(jobId), tmp.resolve("final.mp4"));
        assertThat(TestVideos.videoSize(finalVideo)).containsExactly(1280, 720);
        // The poster-frame hop: a JPEG still, recorded on the job.
        assertThat(job.posterKey()).isEqualTo(OutputKeys.poster(jobId));
        Path poster = download(job.posterKey(), tmp.resolve("poster.jpg"));
        assertThat(TestVideos.codecs(poster)).containsExactly("mjpeg");
        assertThat(TestVideos.videoSize(poster)).containsExactly(1280, 720);
        assertThat(awaitHls(jobId, HlsStatus.READY).masterKey()).endsWith("master.m3u8");
        // Its timeline: the poster is the first part of the renditions hop, then the HLS package of final.mp4.
        List<Timeline.HopTime> hops = jobs.find(jobId).orElseThrow().hops();
        assertThat(hops).extracting(Timeline.HopTime::hop).containsExactly(Hop.POSTER, Hop.RENDITIONS, Hop.PACKAGING);
        assertThat(hops).allSatisfy(hop -> assertThat(hop.startedAt()).isBeforeOrEqualTo(hop.finishedAt()));
        assertThat(hops.get(0).finishedAt()).isBeforeOrEqualTo(hops.get(1).finishedAt());
        assertThat(hops.get(1).queueWaitMs()).as("the upload event's wait in the chunking queue").isNotNegative();
        assertThat(job.totalSegments()).isNull();
        assertThat(s3.listObjectsV2(r -> r.bucket(names().inputBucket()).prefix("segments/" + jobId)).contents()).isEmpty();
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix("jobs/" + jobId + "/segments/")).contents())
                .isEmpty();
    }

    @Test
    void aVideoBecomesASideBySideStereoFinalWithItsAudio(@TempDir Path tmp) {
        Path source = TestVideos.clip(12, 320, 240, true);
        String jobId = JobIds.newId();
        double completedBefore = count("reelroute.jobs.completed");

        upload(new SourceKey(jobId).key(), source);

        Job job = awaitStatus(jobId, JobStatus.COMPLETED);
        assertThat(job.totalSegments()).isEqualTo(3);
        assertThat(job.completedSegments()).isEqualTo(3);
        assertThat(job.completedAt()).isNotNull();
        Path result = download(OutputKeys.finalVideo(jobId), tmp.resolve("final.mp4"));
        assertThat(TestVideos.durationSeconds(result)).isCloseTo(TestVideos.durationSeconds(source), within(0.5));
        assertThat(TestVideos.streamTypes(result)).containsExactly("video", "audio");
        assertThat(TestVideos.videoSize(result)).containsExactly(640, 240);
        for (int i = 0; i < 3; i++) {
            int index = i;
            assertThat(s3.getObjectTagging(r -> r.bucket(names().outputBucket()).key(OutputKeys.segment(jobId, index))).tagSet())
                    .containsExactly(Tag.builder().key("reelroute-lifecycle").value("expire-segments").build());
        }
        assertThat(completions.completedIndices(jobId)).containsExactly(0, 1, 2);
        assertThat(triggerItem(jobId)).containsEntry(Tables.TRIGGER_STATE, AttributeValue.fromS("confirmed"));
        assertThat(Long.parseLong(triggerItem(jobId).get(Tables.TTL).n())).isGreaterThan(Instant.now().getEpochSecond());
        await().atMost(PATIENCE).until(() -> count("reelroute.jobs.completed") >= completedBefore + 1);

        // Then packaged as HLS: three renditions and a master playlist under jobs/{job_id}/hls/.
        Job.Hls hls = awaitHls(jobId, HlsStatus.READY);
        assertThat(hls.masterKey()).isEqualTo(OutputKeys.hlsPrefix(jobId) + "master.m3u8");
        String master = s3.getObjectAsBytes(r -> r.bucket(names().outputBucket()).key(hls.masterKey())).asUtf8String();
        assertThat(master.lines().filter(line -> line.startsWith("#EXT-X-STREAM-INF"))).hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("AUDIO=\"audio\""));
        // The source's audio track is the package's one audio rendition, beside the variants.
        assertThat(master.lines().filter(line -> line.startsWith("#EXT-X-MEDIA:TYPE=AUDIO"))).singleElement()
                .satisfies(line -> assertThat(line).contains("URI=\"a0/index.m3u8\""));
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix(OutputKeys.hlsPrefix(jobId) + "a0/")).contents())
                .extracting(S3Object::key).anyMatch(key -> key.endsWith("a0/index.m3u8")).anyMatch(key -> key.endsWith(".m4s"));
        awaitWorkFoldersRemoved(jobId);
    }

    @Test
    void anAnaglyphJobKeepsTheSourceWidth(@TempDir Path tmp) {
        Path source = TestVideos.clip(8, 320, 240, true);
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.ANAGLYPH);

        upload(new SourceKey(jobId).key(), source);

        awaitStatus(jobId, JobStatus.COMPLETED);
        Path result = download(OutputKeys.finalVideo(jobId), tmp.resolve("final.mp4"));
        assertThat(TestVideos.videoSize(result)).containsExactly(320, 240);
        assertThat(TestVideos.durationSeconds(result)).isCloseTo(TestVideos.durationSeconds(source), within(0.5));
        assertThat(TestVideos.streamTypes(result)).containsExactly("video", "audio");
    }

    @Test
    void everyMessageDeliveredThreeTimesInShuffledOrderReassemblesOnce(@TempDir Path tmp) throws Exception {
        Path source = TestVideos.clip(12, 320, 240, true);
        String jobId = JobIds.newId();
        String videoWorker = resources.queueUrl(names().videoWorkerQueue());
        double triggeredBefore = count("reelroute.reassembly.triggered");
        double completedBefore = count("reelroute.jobs.completed");
        double duplicatesBefore = count("reelroute.completions.duplicate");

        // Hold the segment notifications back, then deliver each of them three times, shuffled.
        camel.getRouteController().stopRoute("inference");
        List<String> bodies;
        try {
            upload(new SourceKey(jobId).key(), source);
            awaitStatus(jobId, JobStatus.CHUNKING_COMPLETE);
            bodies = takeMessages(videoWorker, jobId, 3);
            // The upload notification again, twice: the job is past chunking, so nothing is chunked again.
            send(names().chunkingQueue(), s3Notification(new SourceKey(jobId).key()));
            send(names().chunkingQueue(), s3Notification(new SourceKey(jobId).key()));
            List<String> deliveries = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                deliveries.addAll(bodies);
            }
            Collections.shuffle(deliveries, new Random(7));
            deliveries.forEach(body -> sqs.sendMessage(r -> r.queueUrl(videoWorker).messageBody(body)));
        } finally {
            camel.getRouteController().startRoute("inference");
        }

        awaitStatus(jobId, JobStatus.COMPLETED);
        Instant written = s3.headObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.finalVideo(jobId))).lastModified();
        // The reassembly message again, twice: only bookkeeping, final.mp4 is not written again.
        send(names().reassemblyQueue(), "{\"job_id\":\"" + jobId + "\"}");
        send(names().reassemblyQueue(), "{\"job_id\":\"" + jobId + "\"}");
        awaitDrained(names().videoWorkerQueue());
        awaitDrained(names().reassemblyQueue());
        awaitDrained(names().chunkingQueue());

        Job job = jobs.find(jobId).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(job.completedSegments()).isEqualTo(3);
        assertThat(completions.completedIndices(jobId)).containsExactly(0, 1, 2);
        assertThat(count("reelroute.reassembly.triggered") - triggeredBefore).isEqualTo(1);
        assertThat(count("reelroute.completions.duplicate") - duplicatesBefore).isEqualTo(6);
        await().atMost(PATIENCE).until(() -> count("reelroute.jobs.completed") - completedBefore == 1);
        assertThat(s3.headObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.finalVideo(jobId))).lastModified())
                .isEqualTo(written);
        assertThat(TestVideos.durationSeconds(download(OutputKeys.finalVideo(jobId), tmp.resolve("final.mp4"))))
                .isCloseTo(TestVideos.durationSeconds(source), within(0.5));
        assertThat(messageCount(ResourceNames.dlq(names().videoWorkerQueue()))).isZero();
    }

    @Test
    void completionsThatAllArriveBeforeChunkingIsRecordedStillCompleteTheJob(@TempDir Path tmp) throws Exception {
        Path source = TestVideos.clip(12, 320, 240, true);
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.startChunking(jobId);
        // The segments are out and inferred while the chunk hop has not yet written chunking_complete.
        List<Path> segments = TestVideos.split(source, 4, Files.createDirectories(tmp.resolve("segments")));
        assertThat(segments).hasSize(3);
        for (int i = 0; i < segments.size(); i++) {
            upload(new SegmentKey(jobId, i, Mode.SBS).key(), segments.get(i));
        }
        await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElseThrow().completedSegments() == 3);
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.CHUNKING_IN_PROGRESS);

        // Only the chunk hop's own check can trigger reassembly now: no inference runs any more.
        camel.getRouteController().stopRoute("inference");
        try {
            upload(new SourceKey(jobId).key(), source);
            Job job = awaitStatus(jobId, JobStatus.COMPLETED);
            assertThat(job.completedSegments()).isEqualTo(3);
        } finally {
            camel.getRouteController().startRoute("inference");
        }
        Path result = download(OutputKeys.finalVideo(jobId), tmp.resolve("final.mp4"));
        assertThat(TestVideos.durationSeconds(result)).isCloseTo(TestVideos.durationSeconds(source), within(0.5));
    }

    @Test
    void aLockLeftByADeadReassemblyWorkerFreesItselfAndAnotherFinishesTheJob() {
        Path source = TestVideos.clip(8, 320, 240, true);
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        Duration deadWorkersLock = Duration.ofSeconds(8);
        Instant lockExpires = Instant.now().plus(deadWorkersLock);
        assertThat(locks.acquire(jobId, "worker-that-died", deadWorkersLock)).isTrue();

        upload(new SourceKey(jobId).key(), source);

        Job job = awaitStatus(jobId, JobStatus.COMPLETED);
        assertThat(job.completedAt()).isAfterOrEqualTo(lockExpires);
        assertThat(s3.headObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.finalVideo(jobId))).contentLength())
                .isPositive();
    }

    // --- helpers -------------------------------------------------------------------------------------

    /** Receives and deletes the job's {@code expected} messages from a queue; returns their bodies. */
    List<String> takeMessages(String queueUrl, String jobId, int expected) {
        List<String> bodies = new ArrayList<>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (bodies.size() < expected && System.nanoTime() < deadline) {
            for (Message message : sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                if (java.net.URLDecoder.decode(message.body(), java.nio.charset.StandardCharsets.UTF_8).contains(jobId)) {
                    bodies.add(message.body());
                    sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
                }
            }
        }
        assertThat(bodies).hasSize(expected);
        return bodies;
    }

    Map<String, AttributeValue> triggerItem(String jobId) {
        return dynamoDb.getItem(r -> r.tableName(names().reassemblyTriggeredTable()).consistentRead(true)
                .key(Map.of(Tables.JOB_ID, AttributeValue.fromS(jobId)))).item();
    }

    void awaitWorkFoldersRemoved(String jobId) {
        await().atMost(PATIENCE).until(() -> {
            try (var folders = Files.list(Path.of(WORK_DIR))) {
                return folders.noneMatch(p -> p.getFileName().toString().contains(jobId));
            }
        });
    }
}
