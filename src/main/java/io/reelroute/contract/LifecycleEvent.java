package io.reelroute.contract;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A job lifecycle event to publish on EventBridge (routes/publish-lifecycle-event.camel.yaml): the job and the
 * event's detail-type. Its detail is built here: the job as the Jobs table holds it, so a subscriber needs no second
 * read.
 */
public record LifecycleEvent(String jobId, String detailType) {

    public static final String COMPLETED = "ReelRoute Job Completed";
    public static final String HLS_READY = "ReelRoute HLS Ready";
    public static final String FAILED = "ReelRoute Job Failed";
    /**
     * The detail-type of a request to publish an event, on the transcode-events queue: the event survives a crash
     * and an EventBridge that refuses it for a while (its hop retries, then SQS delivers it again).
     */
    public static final String REQUESTED = "ReelRoute Event Requested";
    static final String REQUEST_SOURCE = "io.reelroute";

    public LifecycleEvent {
        JobIds.requireValid(jobId);
        if (detailType == null || detailType.isBlank()) {
            throw new IllegalArgumentException("a lifecycle event of job " + jobId + " needs a detail-type");
        }
    }

    public static LifecycleEvent completed(String jobId) {
        return new LifecycleEvent(jobId, COMPLETED);
    }

    public static LifecycleEvent hlsReady(String jobId) {
        return new LifecycleEvent(jobId, HLS_READY);
    }

    public static LifecycleEvent failed(String jobId) {
        return new LifecycleEvent(jobId, FAILED);
    }

    /** The queue message that asks for this event to be published: an EventBridge envelope naming it. */
    public String request(ObjectMapper mapper) throws JsonProcessingException {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("source", REQUEST_SOURCE);
        event.put("detail-type", REQUESTED);
        event.put("time", Instant.now().toString());
        event.put("detail", Map.of("job_id", jobId, "detail_type", detailType));
        return mapper.writeValueAsString(event);
    }

    /** The event a request message asks for ({@link #request}); null for any other message, or one that can't be read. */
    public static LifecycleEvent requested(InboundMessage inbound) {
        if (inbound instanceof InboundMessage.EventBridgeEvent event && REQUEST_SOURCE.equals(event.source())
                && REQUESTED.equals(event.detailType())) {
            String jobId = event.detail().path("job_id").asText("");
            String detailType = event.detail().path("detail_type").asText("");
            if (JobIds.isValid(jobId) && !detailType.isBlank()) {
                return new LifecycleEvent(jobId, detailType);
            }
        }
        return null;
    }

    /** The event's detail: {@code job} (this event's job, as read now) as JSON. */
    public String detail(Job job) {
        if (!job.jobId().equals(jobId)) {
            throw new IllegalArgumentException("the detail of job " + jobId + "'s event can't be job " + job.jobId());
        }
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        detail.put("job_id", job.jobId());
        detail.put("status", job.status().wireName());
        detail.put("mode", job.mode() == null ? null : job.mode().id());
        detail.put("total_segments", job.totalSegments());
        if (job.completedAt() != null) {
            // When the job ended, failed ones too; only a completed job has a final video.
            detail.put("completed_at", job.completedAt().toString());
        }
        if (job.status() == JobStatus.COMPLETED) {
            detail.put("final_key", OutputKeys.finalVideo(jobId));
        }
        if (job.hls() != null) {
            detail.put("hls_status", job.hls().status().wireName());
            detail.put("hls_master_key", job.hls().masterKey());
        }
        if (job.failurePhase() != null) {
            detail.put("failure_phase", job.failurePhase().wireName());
            detail.put("failure_reason", job.failureReason());
            if (job.failureDetail() != null) {
                detail.put("failure_detail", job.failureDetail());
            }
        }
        return detail.toString();
    }
}
