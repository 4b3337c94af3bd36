package io.reelroute.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.InboundMessage;
import io.reelroute.contract.InboundMessage.EventBridgeEvent;
import io.reelroute.contract.InboundMessages;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.WebhookRequest;
import io.reelroute.store.JobStore;
import io.reelroute.testing.HopContext;
import io.reelroute.testing.ProvisionedEmulators;
import io.reelroute.transcode.TranscodeEvents.Outcome;

/**
 * MediaConvert job state changes applied to jobs in DynamoDB Local: AWS's published sample events (ERROR,
 * PROGRESSING, STATUS_UPDATE, COMPLETE) and an HLS COMPLETE, repeated and out of order; and the packaging request
 * that reassembly sends to the same queue.
 */
class TranscodeEventsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The MediaConvert job the tests' jobs were submitted as; {@link #event} puts it into the samples. */
    private static final String MEDIACONVERT_JOB = "1763633700000-abc123";
    private static ProvisionedEmulators emulators;
    private static JobStore jobs;
    private static TranscodeEvents events;

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        jobs = new JobStore(emulators.dynamoDb(), ProvisionedEmulators.NAMES.jobsTable(), Clock.systemUTC());
        events = new TranscodeEvents(jobs, new ObjectMapper(), "eu-west-1");
    }

    @AfterAll
    static void stop() {
        emulators.close();
    }

    @Test
    void aPackagingRequestReadsBackAsTheRequestForItsJobAndNothingElseDoes() throws IOException {
        String jobId = JobIds.newId();
        InboundMessages classifier = new InboundMessages(MAPPER);

        EventBridgeEvent request = (EventBridgeEvent) classifier.classify(events.packagingRequest(jobId));
        assertThat(events.packagingRequested(request)).isEqualTo(jobId);
        assertThat(TranscodeEvents.jobIdOf(request)).as("the DLQ hop finds its job").isEqualTo(jobId);
        assertThat(events.apply(request).outcome()).as("not a MediaConvert event").isEqualTo(Outcome.NOT_OURS);

        assertThat(events.packagingRequested(event("mediaconvert-job-complete-hls.json", jobId, null))).isNull();
        ObjectNode lifecycle = MAPPER.createObjectNode().put("source", "io.reelroute").put("detail-type", "ReelRoute Job Completed");
        lifecycle.putObject("detail").put("job_id", jobId);
        assertThat(events.packagingRequested(classifier.classify(lifecycle.toString()))).as("a lifecycle event is no request").isNull();
        ObjectNode noJob = (ObjectNode) MAPPER.readTree(events.packagingRequest(jobId));
        noJob.putObject("detail").put("job_id", "../../etc");
        assertThat(events.packagingRequested(classifier.classify(noJob.toString()))).isNull();
    }

    @Test
    void completeWithAnHlsGroupMakesThePackageReadyWithThePlaylistItNames() throws IOException {
        String jobId = completedJob();

        assertThat(apply("mediaconvert-job-complete-hls.json", jobId).outcome()).isEqualTo(Outcome.READY);

        Job.Hls hls = jobs.find(jobId).orElseThrow().hls();
        assertThat(hls.status()).isEqualTo(HlsStatus.READY);
        assertThat(hls.masterKey()).isEqualTo("jobs/2b9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6f/hls/master.m3u8");
        assertThat(hls.percent()).isEqualTo(100);
    }

    @Test
    void anErrorFailsThePackageButNotTheJob() throws IOException {
        String jobId = completedJob();

        assertThat(apply("mediaconvert-job-error.json", jobId).outcome()).isEqualTo(Outcome.FAILED);

        Job job = jobs.find(jobId).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(job.hls().status()).isEqualTo(HlsStatus.FAILED);
        assertThat(job.hls().errorCode()).isEqualTo("1040");
        assertThat(job.hls().errorMessage()).isEqualTo("Example error message");
    }

    @Test
    void progressingAndStatusUpdatesRecordThePercent() throws IOException {
        String jobId = completedJob();

        assertThat(apply("mediaconvert-job-progressing.json", jobId).outcome()).isEqualTo(Outcome.PROGRESS);
        assertThat(jobs.find(jobId).orElseThrow().hls().status()).isEqualTo(HlsStatus.PROGRESSING);
        assertThat(apply("mediaconvert-job-status-update.json", jobId).outcome()).isEqualTo(Outcome.PROGRESS);

        Job.Hls hls = jobs.find(jobId).orElseThrow().hls();
        assertThat(hls.percent()).isEqualTo(7);
        assertThat(hls.mediaConvertJobId()).isEqualTo(MEDIACONVERT_JOB);
    }

    @Test
    void repeatedAndLateEventsNeverMoveThePackageBack() throws IOException {
        String jobId = completedJob();
        apply("mediaconvert-job-status-update.json", jobId, 50);

        assertThat(apply("mediaconvert-job-status-update.json", jobId, 30).outcome()).as("an older update").isEqualTo(Outcome.STALE);
        assertThat(apply("mediaconvert-job-progressing.json", jobId).outcome()).isEqualTo(Outcome.STALE);
        assertThat(jobs.find(jobId).orElseThrow().hls().percent()).isEqualTo(50);

        assertThat(apply("mediaconvert-job-complete-hls.json", jobId).outcome()).isEqualTo(Outcome.READY);
        assertThat(apply("mediaconvert-job-complete-hls.json", jobId).outcome()).as("a duplicate").isEqualTo(Outcome.STALE);
        assertThat(apply("mediaconvert-job-status-update.json", jobId, 80).outcome()).isEqualTo(Outcome.STALE);
        assertThat(apply("mediaconvert-job-error.json", jobId).outcome()).isEqualTo(Outcome.STALE);
        // A repeated submission (the same MediaConvert job) keeps what the events said.
        jobs.hlsSubmitted(jobId, MEDIACONVERT_JOB);

        Job.Hls hls = jobs.find(jobId).orElseThrow().hls();
        assertThat(hls.status()).isEqualTo(HlsStatus.READY);
        assertThat(hls.percent()).isEqualTo(100);
        assertThat(hls.mediaConvertJobId()).isEqualTo(MEDIACONVERT_JOB);
    }

    @Test
    void theEventsAsPublishedAreNotOursAndAreDropped() throws IOException {
        // AWS's samples carry no job_id in userMetadata, as events of jobs ReelRoute did not submit.
        for (String sample : new String[] {"mediaconvert-job-error.json", "mediaconvert-job-progressing.json",
                "mediaconvert-job-status-update.json"}) {
            assertThat(events.apply(event(sample, null, null)).outcome()).as(sample).isEqualTo(Outcome.NOT_OURS);
        }
    }

    @Test
    void theLocalPackagersCompleteEventReadsBackAsMediaConvertsAndMakesThePackageReady() throws IOException {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.complete(jobId);
        String master = "s3://reelroute-output/jobs/" + jobId + "/hls/master.m3u8";

        EventBridgeEvent complete = (EventBridgeEvent) new InboundMessages(MAPPER).classify(events.packagedLocally(jobId, master));
        assertThat(complete.source()).isEqualTo("aws.mediaconvert");
        assertThat(complete.detailType()).isEqualTo("MediaConvert Job State Change");
        assertThat(events.packagingRequested(complete)).as("no packaging request").isNull();
        assertThat(events.apply(complete).outcome()).as("not before the local packager's job is recorded")
                .isEqualTo(Outcome.OTHER_MEDIACONVERT_JOB);
        events.recordLocalPackaging(jobId, null);
        assertThat(jobs.needsPackaging(jobId)).as("a stopped local packager packages again").isTrue();
        TranscodeEvents.Applied applied = events.apply(complete);

        assertThat(applied.outcome()).isEqualTo(Outcome.READY);
        assertThat(applied.reason()).isEqualTo("jobs/" + jobId + "/hls/master.m3u8");
        assertThat(jobs.find(jobId).orElseThrow().hls().status()).isEqualTo(HlsStatus.READY);
        assertThat(MAPPER.readTree(events.packagedLocally(jobId, master)).path("region").asText()).isEqualTo("eu-west-1");
    }

    @Test
    void theLocalPackagersErrorEventCarriesTheFailuresMessage() throws IOException {
        String jobId = completedJob();
        events.recordLocalPackaging(jobId, null);
        String error = events.localPackagingFailed(jobId, new HlsPackagingFailed("ffmpeg exited with code 1: moov atom not found"));

        TranscodeEvents.Applied applied = events.apply((EventBridgeEvent) new InboundMessages(MAPPER).classify(error));

        assertThat(applied.outcome()).isEqualTo(Outcome.FAILED);
        Job.Hls hls = jobs.find(jobId).orElseThrow().hls();
        assertThat(hls.status()).isEqualTo(HlsStatus.FAILED);
        assertThat(hls.errorCode()).isEqualTo(TranscodeEvents.LOCAL_PACKAGER);
        assertThat(hls.errorMessage()).isEqualTo("ffmpeg exited with code 1: moov atom not found");
        assertThat(MAPPER.readTree(events.localPackagingFailed(jobId, new HlsPackagingFailed(null)))
                .path("detail").path("errorMessage").asText()).isEqualTo("the local packager failed");
    }

    @Test
    void aCompleteEventWithoutAnHlsGroupFailsThePackageWithAReason() throws IOException {
        String jobId = completedJob();

        assertThat(apply("mediaconvert-job-complete.json", jobId).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(jobs.find(jobId).orElseThrow().hls().errorMessage()).contains("names no HLS master playlist");
    }

    @Test
    void aCompleteEventOfAJobMadeFromTheSourceBringsItsMp4sAnErrorFailsTheJob() throws IOException {
        String packaged = completedJob();
        assertThat(apply("mediaconvert-job-complete-hls.json", packaged).mp4Outputs()).as("an HLS packaging job's files are not the job's")
                .isEmpty();

        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.hlsSubmitted(jobId, MEDIACONVERT_JOB);
        EventBridgeEvent complete = event("mediaconvert-job-complete-hls.json", jobId, null);
        ObjectNode detail = (ObjectNode) complete.detail();
        ((ObjectNode) detail.get("userMetadata")).put("made_from", "source");
        ((ArrayNode) detail.withArray("outputGroupDetails")).add(MAPPER.readTree("""
                {"type": "FILE_GROUP", "outputDetails": [
                  {"outputFilePaths": ["s3://reelroute-output/jobs/%s/renditions/rendition_720p.mp4"], "durationInMs": 30041,
                   "videoDetails": {"widthInPx": 1280, "heightInPx": 720}},
                  {"outputFilePaths": ["s3://reelroute-output/jobs/%s/renditions/rendition_720p.m3u8"], "durationInMs": 30041}
                ]}""".formatted(jobId, jobId)));
        TranscodeEvents.Applied applied = events.apply(complete);
        assertThat(applied.outcome()).isEqualTo(Outcome.READY);
        assertThat(applied.mp4Outputs()).containsExactly(new TranscodeEvents.Mp4Output(
                "jobs/" + jobId + "/renditions/rendition_720p.mp4", 1280, 720, 30041));
        TranscodeEvents.Applied repeat = events.apply(complete);
        assertThat(repeat.outcome()).isEqualTo(Outcome.STALE);
        assertThat(repeat.mp4Outputs()).as("a repeat brings them again").hasSize(1);

        String failing = JobIds.newId();
        jobs.createIfAbsent(failing, Mode.SBS);
        jobs.hlsSubmitted(failing, MEDIACONVERT_JOB);
        EventBridgeEvent error = event("mediaconvert-job-error.json", failing, null);
        assertThat(events.apply(error).jobFailure()).as("an HLS packaging job's error fails only the package").isNull();
        ((ObjectNode) error.detail().get("userMetadata")).put("made_from", "source");
        assertThat(events.apply(error).jobFailure().getMessage()).startsWith("MediaConvert ");
    }

    @Test
    void anEventOfAnotherMediaConvertJobChangesNothingTheRecordedOnesDo() throws IOException {
        String jobId = completedJob();
        String forger = "1763633799999-forged";

        for (String sample : new String[] {"mediaconvert-job-complete-hls.json", "mediaconvert-job-error.json",
                "mediaconvert-job-progressing.json", "mediaconvert-job-status-update.json"}) {
            TranscodeEvents.Applied forged = events.apply(event(sample, jobId, forger, null));
            assertThat(forged.outcome()).as(sample).isEqualTo(Outcome.OTHER_MEDIACONVERT_JOB);
            assertThat(forged.jobId()).isEqualTo(jobId);
            assertThat(forged.reason()).contains(forger).contains(MEDIACONVERT_JOB);
        }
        // One that claims to have made the job's outputs neither completes nor fails the job.
        EventBridgeEvent madeFromSource = event("mediaconvert-job-error.json", jobId, forger, null);
        ((ObjectNode) madeFromSource.detail().get("userMetadata")).put("made_from", "source");
        TranscodeEvents.Applied failing = events.apply(madeFromSource);
        assertThat(failing.jobFailure()).isNull();
        assertThat(failing.mp4Outputs()).isEmpty();
        Job unchanged = jobs.find(jobId).orElseThrow();
        assertThat(unchanged.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(unchanged.hls()).isEqualTo(new Job.Hls(HlsStatus.SUBMITTED, MEDIACONVERT_JOB, null, null, null, null));

        // A job with no MediaConvert job recorded takes none of them.
        String notSubmitted = JobIds.newId();
        jobs.createIfAbsent(notSubmitted, Mode.SBS);
        jobs.complete(notSubmitted);
        assertThat(events.apply(event("mediaconvert-job-complete-hls.json", notSubmitted, forger, null)).outcome())
                .isEqualTo(Outcome.OTHER_MEDIACONVERT_JOB);
        assertThat(events.apply(event("mediaconvert-job-complete-hls.json", notSubmitted, "", null)).outcome())
                .as("nor one without a jobId").isEqualTo(Outcome.OTHER_MEDIACONVERT_JOB);
        assertThat(jobs.find(notSubmitted).orElseThrow().hls()).isNull();

        assertThat(apply("mediaconvert-job-complete-hls.json", jobId).outcome()).isEqualTo(Outcome.READY);
        assertThat(jobs.find(jobId).orElseThrow().hls().status()).isEqualTo(HlsStatus.READY);
    }

    @Test
    void theTranscodeEventsHopDropsAndCountsAForgedEventAndAppliesTheGenuineOne() throws Exception {
        String jobId = completedJob();
        try (HopContext hop = HopContext.with(Map.of("reelroute.prefix", "reelroute", "reelroute.output-bucket", "reelroute-output",
                "reelroute.queue-url.transcode-events", "http://127.0.0.1:1/queue/reelroute-transcode-events",
                "reelroute.sqs.wait-time-seconds", "1", "reelroute.sqs.visibility-timeout.transcode-events", "60"))) {
            hop.bind("inboundMessages", new InboundMessages(MAPPER))
                    .bind("transcodeEvents", events)
                    .bind("jobStore", jobs)
                    // The hop's other messages (webhook requests) and outcomes (a pipeline's MP4s) are not under test.
                    .bind("webhooks", new NoWebhooks())
                    .bind("mp4Renditions", new Object())
                    .bind("jobFailures", new Object())
                    .yaml("""
                            - routeConfiguration:
                                id: transient-faults
                            """)
                    .load("transcode-events.camel.yaml")
                    .advice("transcode-events", route -> route.replaceFromWith("direct:events"))
                    .start();

            hop.request("direct:events", body("mediaconvert-job-complete-hls.json", jobId, "1763633799999-forged", null));

            assertThat(hop.counted("reelroute.messages.dropped", "hop", "transcode-events", "reason", "mediaconvert-job-mismatch"))
                    .isEqualTo(1);
            assertThat(jobs.find(jobId).orElseThrow().hls().status()).isEqualTo(HlsStatus.SUBMITTED);
            assertThat(hop.counted("reelroute.hls.ready")).isZero();

            hop.request("direct:events", body("mediaconvert-job-complete-hls.json", jobId, MEDIACONVERT_JOB, null));

            assertThat(jobs.find(jobId).orElseThrow().hls().status()).isEqualTo(HlsStatus.READY);
            assertThat(hop.counted("reelroute.hls.ready")).isEqualTo(1);
            assertThat(hop.counted("reelroute.messages.dropped", "hop", "transcode-events", "reason", "mediaconvert-job-mismatch"))
                    .isEqualTo(1);
        }
    }

    /** Answers the transcode-events hop's question "is this a webhook request?" with no. */
    public static final class NoWebhooks {
        public WebhookRequest requested(InboundMessage inbound) {
            return null;
        }
    }

    /** A completed job whose packaging was submitted as {@link #MEDIACONVERT_JOB}. */
    private static String completedJob() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.complete(jobId);
        jobs.hlsSubmitted(jobId, MEDIACONVERT_JOB);
        return jobId;
    }

    private static TranscodeEvents.Applied apply(String sample, String jobId) throws IOException {
        return events.apply(event(sample, jobId, null));
    }

    private static TranscodeEvents.Applied apply(String sample, String jobId, int percent) throws IOException {
        return events.apply(event(sample, jobId, percent));
    }

    /**
     * A published sample event, as the queue delivers it, with our job id (and the MediaConvert job it was submitted
     * as) and a percent put in.
     */
    static EventBridgeEvent event(String sample, String jobId, Integer percent) throws IOException {
        return event(sample, jobId, MEDIACONVERT_JOB, percent);
    }

    static EventBridgeEvent event(String sample, String jobId, String mediaConvertJobId, Integer percent) throws IOException {
        return (EventBridgeEvent) new InboundMessages(MAPPER).classify(body(sample, jobId, mediaConvertJobId, percent));
    }

    static String body(String sample, String jobId, String mediaConvertJobId, Integer percent) throws IOException {
        ObjectNode envelope;
        try (InputStream in = TranscodeEventsTest.class.getResourceAsStream("/events/" + sample)) {
            envelope = (ObjectNode) MAPPER.readTree(in);
        }
        ObjectNode detail = (ObjectNode) envelope.get("detail");
        if (jobId != null) {
            detail.set("userMetadata", MAPPER.valueToTree(Map.of("job_id", jobId)));
            detail.put("jobId", mediaConvertJobId);
        }
        if (percent != null) {
            ((ObjectNode) detail.get("jobProgress")).put("jobPercentComplete", percent);
        }
        return new String(MAPPER.writeValueAsBytes(envelope), StandardCharsets.UTF_8);
    }
}
