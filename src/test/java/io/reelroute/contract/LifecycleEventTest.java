package io.reelroute.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The lifecycle event's detail (the job as the table holds it) and the reassembly message, built and read in one place. */
class LifecycleEventTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void theDetailOfACompletedJobNamesItsFinalVideoAndHlsPackage() throws Exception {
        String jobId = JobIds.newId();
        Job job = job(jobId, JobStatus.COMPLETED, Instant.parse("2026-12-01T10:00:00Z"),
                new Job.Hls(HlsStatus.READY, "mc-1", 100, "jobs/" + jobId + "/hls/master.m3u8", null, null), null, null);

        JsonNode detail = MAPPER.readTree(LifecycleEvent.hlsReady(jobId).detail(job));

        assertThat(detail.path("job_id").asText()).isEqualTo(jobId);
        assertThat(detail.path("status").asText()).isEqualTo("completed");
        assertThat(detail.path("mode").asText()).isEqualTo("sbs");
        assertThat(detail.path("total_segments").asInt()).isEqualTo(6);
        assertThat(detail.path("completed_at").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(detail.path("final_key").asText()).isEqualTo("jobs/" + jobId + "/final.mp4");
        assertThat(detail.path("hls_status").asText()).isEqualTo(HlsStatus.READY.wireName());
        assertThat(detail.path("hls_master_key").asText()).isEqualTo("jobs/" + jobId + "/hls/master.m3u8");
        assertThat(detail.has("failure_phase")).isFalse();
    }

    @Test
    void aRequestToPublishTravelsAsAnEventBridgeEnvelopeAndIsReadBack() throws Exception {
        String jobId = JobIds.newId();
        String message = LifecycleEvent.failed(jobId).request(MAPPER);

        InboundMessage inbound = new InboundMessages(MAPPER).classify(message);

        assertThat(inbound.kind()).isEqualTo(InboundMessage.Kind.EVENT_BRIDGE_EVENT);
        assertThat(LifecycleEvent.requested(inbound)).isEqualTo(LifecycleEvent.failed(jobId));
        assertThat(LifecycleEvent.requested(new InboundMessages(MAPPER).classify(
                new WebhookRequest(jobId, "d-1", 1).message(MAPPER)))).as("another request").isNull();
    }

    @Test
    void theDetailOfAFailedJobSaysWhereAndWhy() throws Exception {
        String jobId = JobIds.newId();
        Job job = job(jobId, JobStatus.FAILED, Instant.parse("2026-12-01T10:00:00Z"), null, FailurePhase.INFERENCE,
                "segment 3 of 6: model crashed", "Traceback (most recent call last): ...");

        LifecycleEvent event = LifecycleEvent.failed(jobId);
        JsonNode detail = MAPPER.readTree(event.detail(job));

        assertThat(event.detailType()).isEqualTo("ReelRoute Job Failed");
        assertThat(detail.path("status").asText()).isEqualTo("failed");
        assertThat(detail.path("failure_phase").asText()).isEqualTo("inference");
        assertThat(detail.path("failure_reason").asText()).isEqualTo("segment 3 of 6: model crashed");
        assertThat(detail.path("failure_detail").asText()).isEqualTo("Traceback (most recent call last): ...");
        // completed_at is when the job ended; a failed job has no final video.
        assertThat(detail.path("completed_at").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(detail.has("final_key")).isFalse();
        assertThat(detail.has("hls_status")).isFalse();
    }

    @Test
    void anEventNeedsAValidJobAndADetailTypeAndDescribesOnlyItsOwnJob() {
        assertThatThrownBy(() -> new LifecycleEvent("not-a-uuid", LifecycleEvent.COMPLETED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LifecycleEvent(JobIds.newId(), " ")).isInstanceOf(IllegalArgumentException.class);
        Job other = job(JobIds.newId(), JobStatus.COMPLETED, null, null, null, null);
        assertThatThrownBy(() -> LifecycleEvent.completed(JobIds.newId()).detail(other))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReassemblyMessageReadsBackAsItsJob() {
        String jobId = JobIds.newId();
        String body = ReassemblyMessage.body(jobId);
        assertThat(body).isEqualTo("{\"job_id\":\"" + jobId + "\"}");
        assertThat(ReassemblyMessage.jobId(body, MAPPER)).isEqualTo(jobId);
        assertThatThrownBy(() -> ReassemblyMessage.body("x")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Job job(String jobId, JobStatus status, Instant completedAt, Job.Hls hls, FailurePhase phase,
            String reason) {
        return job(jobId, status, completedAt, hls, phase, reason, null);
    }

    private static Job job(String jobId, JobStatus status, Instant completedAt, Job.Hls hls, FailurePhase phase,
            String reason, String failureDetail) {
        Instant now = Instant.parse("2026-12-01T09:00:00Z");
        return new Job(jobId, status, "stereo", null, Mode.SBS, 6, 6, phase, reason, failureDetail, now, now, completedAt, hls, null,
                null, now, null, null, null, 0, null, null, null, null, false, null, null, null);
    }
}
