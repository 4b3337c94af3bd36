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
import io.reelroute.contract.InboundMessage.EventBridgeEvent;
import io.reelroute.contract.InboundMessages;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.store.JobStore;
import io.reelroute.testing.ProvisionedEmulators;
import io.reelroute.transcode.TranscodeEvents.Outcome;

/**
 * MediaConvert job state changes applied to jobs in DynamoDB Local: AWS's published sample events (ERROR,
 * PROGRESSING, STATUS_UPDATE, COMPLETE) and an HLS COMPLETE, repeated and out of order; and the packaging request
 * that reassembly sends to the same queue.
 */
class TranscodeEventsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
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
        jobs.hlsSubmitted(jobId, "1671477617078-2886ye");

        assertThat(apply("mediaconvert-job-progressing.json", jobId).outcome()).isEqualTo(Outcome.PROGRESS);
        assertThat(jobs.find(jobId).orElseThrow().hls().status()).isEqualTo(HlsStatus.PROGRESSING);
        assertThat(apply("mediaconvert-job-status-update.json", jobId).outcome()).isEqualTo(Outcome.PROGRESS);

        Job.Hls hls = jobs.find(jobId).orElseThrow().hls();
        assertThat(hls.percent()).isEqualTo(7);
        assertThat(hls.mediaConvertJobId()).isEqualTo("1671477617078-2886ye");
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
        // A submission recorded late keeps what the events said and adds the MediaConvert job id.
        jobs.hlsSubmitted(jobId, "1763633700000-abc123");

        Job.Hls hls = jobs.find(jobId).orElseThrow().hls();
        assertThat(hls.status()).isEqualTo(HlsStatus.READY);
        assertThat(hls.percent()).isEqualTo(100);
        assertThat(hls.mediaConvertJobId()).isEqualTo("1763633700000-abc123");
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
        String jobId = completedJob();
        String master = "s3://reelroute-output/jobs/" + jobId + "/hls/master.m3u8";

        EventBridgeEvent complete = (EventBridgeEvent) new InboundMessages(MAPPER).classify(events.packagedLocally(jobId, master));
        assertThat(complete.source()).isEqualTo("aws.mediaconvert");
        assertThat(complete.detailType()).isEqualTo("MediaConvert Job State Change");
        assertThat(events.packagingRequested(complete)).as("no packaging request").isNull();
        TranscodeEvents.Applied applied = events.apply(complete);

        assertThat(applied.outcome()).isEqualTo(Outcome.READY);
        assertThat(applied.reason()).isEqualTo("jobs/" + jobId + "/hls/master.m3u8");
        assertThat(jobs.find(jobId).orElseThrow().hls().status()).isEqualTo(HlsStatus.READY);
        assertThat(MAPPER.readTree(events.packagedLocally(jobId, master)).path("region").asText()).isEqualTo("eu-west-1");
    }

    @Test
    void theLocalPackagersErrorEventCarriesTheFailuresMessage() throws IOException {
        String jobId = completedJob();
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
        EventBridgeEvent error = event("mediaconvert-job-error.json", failing, null);
        assertThat(events.apply(error).jobFailure()).as("an HLS packaging job's error fails only the package").isNull();
        ((ObjectNode) error.detail().get("userMetadata")).put("made_from", "source");
        assertThat(events.apply(error).jobFailure().getMessage()).startsWith("MediaConvert ");
    }

    private static String completedJob() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.complete(jobId);
        return jobId;
    }

    private static TranscodeEvents.Applied apply(String sample, String jobId) throws IOException {
        return events.apply(event(sample, jobId, null));
    }

    private static TranscodeEvents.Applied apply(String sample, String jobId, int percent) throws IOException {
        return events.apply(event(sample, jobId, percent));
    }

    /** A published sample event, as the queue delivers it, with our job id and a percent put in. */
    static EventBridgeEvent event(String sample, String jobId, Integer percent) throws IOException {
        ObjectNode envelope;
        try (InputStream in = TranscodeEventsTest.class.getResourceAsStream("/events/" + sample)) {
            envelope = (ObjectNode) MAPPER.readTree(in);
        }
        ObjectNode detail = (ObjectNode) envelope.get("detail");
        if (jobId != null) {
            detail.set("userMetadata", MAPPER.valueToTree(Map.of("job_id", jobId)));
        }
        if (percent != null) {
            ((ObjectNode) detail.get("jobProgress")).put("jobPercentComplete", percent);
        }
        byte[] body = MAPPER.writeValueAsBytes(envelope);
        return (EventBridgeEvent) new InboundMessages(MAPPER).classify(new String(body, StandardCharsets.UTF_8));
    }
}
