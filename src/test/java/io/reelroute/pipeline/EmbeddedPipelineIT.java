package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.api.ApiAuth;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.testing.EmbeddedEmulators;
import io.reelroute.testing.TestVideos;
import io.reelroute.transcode.TranscodeEvents;
import software.amazon.awssdk.core.sync.RequestBody;

/** The whole pipeline on the embedded default: ElasticMQ, DynamoDB Local and S3Mock in this JVM. */
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = "reelroute.mode=embedded")
class EmbeddedPipelineIT extends PipelineScenarios {

    static final Path DATA = EmbeddedEmulators.newDataDir();

    @Autowired
    TranscodeEvents transcodeEvents;

    @DynamicPropertySource
    static void embedded(DynamicPropertyRegistry registry) {
        EmbeddedEmulators.register(registry, DATA);
    }

    @Test
    void aCompletedJobAndItsHlsPackageAreCopiedToTheOutbox() throws Exception {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), TestVideos.clip(8, 320, 240, true));

        awaitStatus(jobId, JobStatus.COMPLETED);
        Path copy = DATA.resolve("outbox").resolve(jobId).resolve("final.mp4");
        await().atMost(PATIENCE).until(() -> Files.exists(copy) && Files.size(copy) > 0);
        assertThat(TestVideos.videoSize(copy)).containsExactly(640, 240);

        awaitHls(jobId, HlsStatus.READY);
        Path master = DATA.resolve("outbox").resolve(jobId).resolve("hls").resolve("master.m3u8");
        await().atMost(PATIENCE).until(() -> Files.exists(master));
        // The copy plays from disk: ffprobe reads the master playlist and the rendition it picks.
        assertThat(TestVideos.durationSeconds(master)).isCloseTo(TestVideos.durationSeconds(copy), within(1.0));
    }

    /**
     * Stereo formats through the whole pipeline: final.mp4 has each format's frame and signalling, and so does
     * every rendition of its HLS package.
     */
    @Test
    void everyStereoFormatReachesFinalMp4AndTheHlsPackageWithItsFrameAndSignalling() throws Exception {
        record Expected(String params, int width, int height, String stereoMode, int segments) {
        }
        List<Expected> formats = List.of(
                // A job's own segment length: 2 s segments of a 6 s clip.
                new Expected("{\"format\": \"half-sbs\", \"divergence\": 4, \"segment_seconds\": 2}", 320, 240, "left_right", 3),
                new Expected("{\"format\": \"full-tb\"}", 320, 480, "top_bottom", 2),
                new Expected("{\"format\": \"cross-eyed\", \"convergence\": 1}", 640, 240, "", 2),
                new Expected("{\"format\": \"anaglyph\", \"anaglyph_method\": \"wimmer\"}", 320, 240, "", 2),
                // A lead-in for a temporal model: added at the split, cut off again at the join.
                new Expected("{\"overlap_seconds\": 1}", 640, 240, "left_right", 2));
        Path clip = TestVideos.clip(6, 320, 240, true);
        List<String> started = new ArrayList<>();
        for (Expected format : formats) {
            started.add(startJob("stereo", format.params(), clip));
        }
        for (int i = 0; i < formats.size(); i++) {
            String jobId = started.get(i);
            Expected expected = formats.get(i);
            assertThat(awaitStatus(jobId, JobStatus.COMPLETED).totalSegments()).as(expected.params()).isEqualTo(expected.segments());
            Path finalMp4 = download(OutputKeys.finalVideo(jobId), DATA.resolve(jobId + "-final.mp4"));
            assertThat(TestVideos.videoSize(finalMp4)).as(expected.params()).containsExactly(expected.width(), expected.height());
            assertThat(TestVideos.stereoMode(finalMp4)).as(expected.params()).isEqualTo(expected.stereoMode());
            assertThat(TestVideos.frameCount(finalMp4)).as("every frame of the source once: %s", expected.params()).isEqualTo(150);
            assertThat(TestVideos.durationSeconds(finalMp4)).as(expected.params()).isCloseTo(6.0, within(0.1));
            Job.Hls hls = awaitHls(jobId, HlsStatus.READY);
            // The outbox copy of the package plays from disk.
            Path variant = DATA.resolve("outbox").resolve(jobId).resolve("hls").resolve("v1").resolve("index.m3u8");
            await().atMost(PATIENCE).until(() -> Files.exists(variant));
            assertThat(TestVideos.stereoMode(variant)).as("HLS of %s", expected.params()).isEqualTo(expected.stereoMode());
            assertThat(hls.masterKey()).isEqualTo(OutputKeys.hlsPrefix(jobId) + "master.m3u8");
        }
    }

    @Test
    void aVideoDroppedIntoTheInboxRunsThePipelineItsFolderNamesForTheLocalUser() throws Exception {
        Path inbox = DATA.resolve("inbox");
        Path video = TestVideos.clip(4, 320, 240, true);
        Files.createDirectories(inbox.resolve("stereo"));
        Files.createDirectories(inbox.resolve("karaoke"));
        String name = "inbox-" + JobIds.newId().substring(0, 8) + ".mp4";
        Files.copy(video, inbox.resolve("stereo").resolve(name));
        Files.copy(video, inbox.resolve("karaoke").resolve(name));

        Job job = await().atMost(PATIENCE).until(() -> jobs.endedOf(ApiAuth.LOCAL_SUBJECT, JobStatus.COMPLETED, 100, null).jobs().stream()
                .filter(j -> name.equals(j.title())).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(job.pipeline()).isEqualTo("stereo");
        assertThat(job.params().mode()).as("the schema's default").isEqualTo(Mode.SBS);
        assertThat(Files.exists(inbox.resolve("stereo").resolve(name))).isFalse();
        assertThat(movedTo(inbox.resolve(".uploaded"), name)).isTrue();
        // A folder that names no pipeline starts nothing; its file is kept aside, not lost.
        await().atMost(PATIENCE).until(() -> Files.exists(inbox.resolve(".failed").resolve("karaoke").resolve(name)));
        assertThat(jobs.unfinishedOf(ApiAuth.LOCAL_SUBJECT, 100, null).jobs()).noneMatch(j -> name.equals(j.title()));
    }

    /**
     * The local packager's failure path: a final.mp4 ffmpeg can't read becomes its ERROR event, which fails the HLS
     * package with the packager's reason; the job stays completed and the work folder is removed.
     */
    @Test
    void aFinalMp4TheLocalPackagerCannotReadFailsThePackageWithItsReasonNotTheJob() throws Exception {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.complete(jobId);
        s3.putObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.finalVideo(jobId)),
                RequestBody.fromBytes("not a video".getBytes()));

        send(names().transcodeEventsQueue(), transcodeEvents.packagingRequest(jobId));

        Job.Hls hls = awaitHls(jobId, HlsStatus.FAILED);
        assertThat(hls.errorCode()).isEqualTo(TranscodeEvents.LOCAL_PACKAGER);
        assertThat(hls.errorMessage()).startsWith("can't package final.mp4 as HLS: ");
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix(OutputKeys.hlsPrefix(jobId))).contents())
                .isEmpty();
        awaitWorkFoldersRemoved(jobId);
    }

    /** Whether the folder holds the file, under its time-stamped name. */
    @Test
    void aSourceTheRenditionsPipelineCannotReadFailsItAtOnceInProbe() throws Exception {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, "renditions", pipelines.resolve("renditions", null), null, null);
        upload(new SourceKey(jobId).key(), "not a video".getBytes());

        Job failed = awaitFailed(jobId);
        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(failed.failureReason()).startsWith("source.mp4 is not a readable video: ")
                .contains("Invalid data found").doesNotContain("target/").doesNotContain("{");
        assertNothingLeft();
    }

    private static boolean movedTo(Path folder, String name) throws Exception {
        try (var files = Files.list(folder)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith("-" + name));
        }
    }

    /**
     * Chaos, duplicates: every message of ten jobs (upload events, segment events, reassembly hand-offs)
     * delivered three times in random order. Ten jobs complete, each reassembled once.
     */
    @Test
    void tenJobsWithEveryMessageDeliveredThreeTimesInRandomOrderEachCompleteOnce() throws Exception {
        long seed = System.nanoTime();
        System.out.println("Duplicate delivery order seed: " + seed);
        Random random = new Random(seed);
        Path source = TestVideos.clip(8, 320, 240, true);
        String videoWorker = resources.queueUrl(names().videoWorkerQueue());
        double triggeredBefore = count("reelroute.reassembly.triggered");
        double completedBefore = count("reelroute.jobs.completed");
        double duplicatesBefore = count("reelroute.completions.duplicate");
        List<String> jobIds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            jobIds.add(JobIds.newId());
        }

        camel.getRouteController().stopRoute("inference");
        camel.getRouteController().stopRoute("reassembly");
        try {
            // Each upload event three times: the bridge sends one, two more go with the other jobs' in random order.
            List<String> uploads = new ArrayList<>();
            for (String jobId : jobIds) {
                uploads.add(s3Notification(new SourceKey(jobId).key()));
                uploads.add(s3Notification(new SourceKey(jobId).key()));
            }
            Collections.shuffle(uploads, random);
            jobIds.forEach(jobId -> upload(new SourceKey(jobId).key(), source));
            uploads.forEach(body -> send(names().chunkingQueue(), body));
            jobIds.forEach(jobId -> awaitStatus(jobId, JobStatus.CHUNKING_COMPLETE));
            // Every segment event three times, all jobs mixed.
            List<String> taken = takeAll(videoWorker, jobIds, 20);
            List<String> segments = new ArrayList<>();
            for (int copy = 0; copy < 3; copy++) {
                segments.addAll(taken);
            }
            Collections.shuffle(segments, random);
            segments.forEach(body -> sqs.sendMessage(r -> r.queueUrl(videoWorker).messageBody(body)));
            assertThat(segments).hasSize(60);
            // Two more reassembly hand-offs per job, waiting beside the ones the trigger sends.
            List<String> handOffs = new ArrayList<>();
            for (String jobId : jobIds) {
                handOffs.add("{\"job_id\":\"" + jobId + "\"}");
                handOffs.add("{\"job_id\":\"" + jobId + "\"}");
            }
            Collections.shuffle(handOffs, random);
            handOffs.forEach(body -> send(names().reassemblyQueue(), body));
        } finally {
            camel.getRouteController().startRoute("inference");
            camel.getRouteController().startRoute("reassembly");
        }

        jobIds.forEach(jobId -> awaitStatus(jobId, JobStatus.COMPLETED));
        awaitDrained(names().chunkingQueue());
        awaitDrained(names().videoWorkerQueue());
        awaitDrained(names().reassemblyQueue());
        for (String jobId : jobIds) {
            assertThat(jobs.find(jobId).orElseThrow().completedSegments()).isEqualTo(2);
            assertThat(completions.completedIndices(jobId)).containsExactly(0, 1);
        }
        assertThat(count("reelroute.reassembly.triggered") - triggeredBefore).isEqualTo(10);
        assertThat(count("reelroute.completions.duplicate") - duplicatesBefore).isEqualTo(40);
        // Completed once each: the later hand-offs found final.mp4 and only finished the bookkeeping.
        await().atMost(PATIENCE).until(() -> count("reelroute.jobs.completed") - completedBefore == 10);
        for (String queue : names().queues()) {
            assertThat(messageCount(ResourceNames.dlq(queue))).as(queue).isZero();
        }
    }

    /** Receives and deletes the {@code expected} messages about {@code jobIds} (others go back at once). */
    private List<String> takeAll(String queueUrl, List<String> jobIds, int expected) {
        List<String> bodies = new ArrayList<>();
        await().atMost(PATIENCE).until(() -> {
            for (var message : sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                String body = java.net.URLDecoder.decode(message.body(), java.nio.charset.StandardCharsets.UTF_8);
                if (jobIds.stream().anyMatch(body::contains)) {
                    bodies.add(message.body());
                    sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
                } else {
                    sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()).visibilityTimeout(0));
                }
            }
            return bodies.size() >= expected;
        });
        assertThat(bodies).hasSize(expected);
        return bodies;
    }
}
