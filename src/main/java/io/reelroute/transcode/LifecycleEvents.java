package io.reelroute.transcode;

import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.reelroute.contract.Job;
import io.reelroute.contract.LifecycleEvent;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * The custom job lifecycle events (completed, HLS ready, failed) that the publish-lifecycle-event hop puts on
 * EventBridge: their detail is the job as the table holds it ({@link LifecycleEvent#detail(Job)}).
 */
@Component("lifecycleEvents")
public class LifecycleEvents {

    private static final String ENDPOINT = "direct:lifecycle-event?block=false&failIfNoConsumers=false";
    /** routes/platform/webhooks.camel.yaml: the completion webhook's request, for a job with a callback_url. */
    private static final String WEBHOOK = "direct:webhook-request?block=false&failIfNoConsumers=false";

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleEvents.class);

    private final JobStore jobs;
    private final ProducerTemplate producer;
    private final MeterRegistry meters;

    public LifecycleEvents(JobStore jobs, @Lazy ProducerTemplate producer, MeterRegistry meters) {
        this.jobs = jobs;
        this.producer = producer;
        this.meters = meters;
    }

    /** The event's detail: the job's state now. */
    public String detail(LifecycleEvent event) {
        Job job = jobs.find(event.jobId())
                .orElseThrow(() -> new IllegalStateException("job " + event.jobId() + " does not exist"));
        return event.detail(job);
    }

    /** Camel's EventBridge producer ignores rejected entries; a rejected event is an error here. */
    public void requireAccepted(PutEventsResponse response) {
        if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
            throw new IllegalStateException("EventBridge rejected the event: " + response.entries().get(0).errorCode()
                    + " " + response.entries().get(0).errorMessage());
        }
    }

    /**
     * Publishes the failure of a job from Java (the failure handlers), and requests its completion webhook; never
     * throws, since the failure is recorded (a webhook request lost here is sent again by the watchdog).
     */
    public void publishFailure(String jobId) {
        try {
            producer.sendBody(ENDPOINT, LifecycleEvent.failed(jobId));
        } catch (RuntimeException e) {
            LOG.warn("Job {}: the failure event could not be published: {}", jobId, e.getMessage());
            meters.counter("reelroute.events.unpublished", "type", "failed").increment();
        }
        try {
            producer.sendBody(WEBHOOK, jobId);
        } catch (RuntimeException e) {
            LOG.warn("Job {}: the webhook could not be requested: {}", jobId, e.getMessage());
            meters.counter("reelroute.events.unpublished", "type", "webhook").increment();
        }
    }
}
