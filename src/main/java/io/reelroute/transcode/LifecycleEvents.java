package io.reelroute.transcode;

import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.reelroute.config.RunModeResolver;
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

    /** routes/platform/lifecycle-events.camel.yaml: sends a request to publish an event to the transcode-events queue. */
    private static final String REQUEST = "direct:lifecycle-event-request?block=false&failIfNoConsumers=false";
    /** routes/platform/webhooks.camel.yaml: the completion webhook's request, for a job with a callback_url. */
    private static final String WEBHOOK = "direct:webhook-request?block=false&failIfNoConsumers=false";

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleEvents.class);

    private final JobStore jobs;
    private final ProducerTemplate producer;
    private final MeterRegistry meters;
    private final ObjectMapper mapper;
    private final boolean enabled;

    /** @param enabled reelroute.events.enabled, as the run mode resolved it */
    public LifecycleEvents(JobStore jobs, @Lazy ProducerTemplate producer, MeterRegistry meters, ObjectMapper mapper,
            @Value("${" + RunModeResolver.EVENTS_PROPERTY + ":false}") boolean enabled) {
        this.jobs = jobs;
        this.producer = producer;
        this.meters = meters;
        this.mapper = mapper;
        this.enabled = enabled;
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
     * Has the failure of a job published (from the failure handlers), and requests its completion webhook; never
     * throws, since the failure is recorded (a webhook request lost here is sent again by the watchdog). The event
     * goes through the transcode-events queue as a request, whose hop publishes it: an EventBridge that fails or
     * rejects the entry is retried there, then the message comes back from SQS, and one that never succeeds reaches
     * the dead-letter queue, where it is kept and counted. Only a request that can't even be queued is lost here:
     * logged and counted in reelroute.events.unpublished{type=failed}.
     */
    public void publishFailure(String jobId) {
        if (enabled) {
            try {
                producer.sendBody(REQUEST, LifecycleEvent.failed(jobId).request(mapper));
            } catch (RuntimeException | JsonProcessingException e) {
                LOG.warn("Job {}: the failure event could not be requested: {}", jobId, e.getMessage());
                meters.counter("reelroute.events.unpublished", "type", "failed").increment();
            }
        }
        try {
            producer.sendBody(WEBHOOK, jobId);
        } catch (RuntimeException e) {
            LOG.warn("Job {}: the webhook could not be requested: {}", jobId, e.getMessage());
            meters.counter("reelroute.events.unpublished", "type", "webhook").increment();
        }
    }
}
