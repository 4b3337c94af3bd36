package io.reelroute.transcode;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.reelroute.contract.Job;
import io.reelroute.contract.OutputKeys;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * The custom job lifecycle events (completed, HLS ready, failed) that the lifecycle-events route puts on
 * EventBridge: their detail is the job as the table holds it, so a subscriber needs no second read.
 */
@Component("lifecycleEvents")
public class LifecycleEvents {

    public static final String COMPLETED = "ReelRoute Job Completed";
    public static final String HLS_READY = "ReelRoute HLS Ready";
    public static final String FAILED = "ReelRoute Job Failed";
    /** The exchange property that names the event's detail-type. */
    public static final String TYPE = "lifecycleEvent";
    private static final String ENDPOINT = "direct:lifecycle-event?block=false&failIfNoConsumers=false";

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleEvents.class);

    private final JobStore jobs;
    private final ObjectMapper mapper;
    private final ProducerTemplate producer;
    private final MeterRegistry meters;

    public LifecycleEvents(JobStore jobs, ObjectMapper mapper, @Lazy ProducerTemplate producer, MeterRegistry meters) {
        this.jobs = jobs;
        this.mapper = mapper;
        this.producer = producer;
        this.meters = meters;
    }

    /** The event's detail: the job's state now. */
    public String detail(Exchange exchange) throws JsonProcessingException {
        String jobId = exchange.getProperty("jobId", String.class);
        Job job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " does not exist"));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("job_id", job.jobId());
        detail.put("status", job.status().wireName());
        detail.put("mode", job.mode() == null ? null : job.mode().id());
        detail.put("total_segments", job.totalSegments());
        if (job.completedAt() != null) {
            detail.put("completed_at", job.completedAt().toString());
            detail.put("final_key", OutputKeys.finalVideo(jobId));
        }
        if (job.hls() != null) {
            detail.put("hls_status", job.hls().status().wireName());
            detail.put("hls_master_key", job.hls().masterKey());
        }
        if (job.failurePhase() != null) {
            detail.put("failure_phase", job.failurePhase().wireName());
            detail.put("failure_reason", job.failureReason());
        }
        return mapper.writeValueAsString(detail);
    }

    /** Camel's EventBridge producer ignores rejected entries; a rejected event is an error here. */
    public void requireAccepted(PutEventsResponse response) {
        if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
            throw new IllegalStateException("EventBridge rejected the event: " + response.entries().get(0).errorCode()
                    + " " + response.entries().get(0).errorMessage());
        }
    }

    /** Publishes the failure of a job from Java (the failure handlers); never throws, since the failure is recorded. */
    public void publishFailure(String jobId) {
        try {
            producer.send(ENDPOINT, exchange -> {
                exchange.setProperty("jobId", jobId);
                exchange.setProperty(TYPE, FAILED);
            });
        } catch (RuntimeException e) {
            LOG.warn("Job {}: the failure event could not be published: {}", jobId, e.getMessage());
            meters.counter("reelroute.events.unpublished", "type", "failed").increment();
        }
    }
}
