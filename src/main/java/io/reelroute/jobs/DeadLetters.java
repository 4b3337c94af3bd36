package io.reelroute.jobs;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.aws.AwsResources;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.InboundMessage;
import io.reelroute.contract.InboundMessages;
import io.reelroute.contract.Job;
import io.reelroute.contract.LifecycleEvent;
import io.reelroute.contract.ReassemblyMessage;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.SourceKey;
import io.reelroute.contract.WebhookRequest;
import io.reelroute.store.JobStore;
import io.reelroute.transcode.LifecycleEvents;
import io.reelroute.transcode.TranscodeEvents;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the DLQ hop (routes/dead-letters.camel.yaml) does with a message that SQS gave up on after
 * maxReceiveCount deliveries: it keeps a copy (body, attributes, message attributes) in the output bucket
 * under {@code dead-letters/{queue}/{job_id or "unknown"}/{message id}.json}, finds the message's job, and
 * ends the job {@code failed} with the phase and the last error a hop recorded, so that nobody has to find it
 * stuck. {@code POST /jobs/{id}/retry} re-drives the job; the copy lets a person re-send the message itself.
 */
@Component("deadLetters")
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    /** What became of a dead letter; the route counts it under this name. */
    public enum Outcome {
        /** The job was unfinished and is now failed. */
        JOB_FAILED,
        /** The job's HLS packaging is now failed (the job itself stays completed). */
        PACKAGING_FAILED,
        /** The job had already ended: only the copy is kept. */
        JOB_ALREADY_ENDED,
        /** A reassembly worker still holds the job's lock: it may finish; if it died, the watchdog takes over. */
        JOB_LOCKED,
        /** The message names no job of ours: only the copy is kept. */
        NO_JOB,
        /** A completion webhook's request: its delivery is now failed (the job stays as it ended). */
        WEBHOOK_FAILED,
        /** A request to publish a lifecycle event that EventBridge kept refusing: the event is not published. */
        EVENT_NOT_PUBLISHED
    }

    /** A dead letter handled: what became of it, its job (null if it names none of ours) and its copy's key. */
    public record Handled(Outcome outcome, String jobId, String copyKey) {
    }

    private final JobStore jobs;
    private final LifecycleEvents events;
    private final InboundMessages inbound;
    private final S3Client s3;
    private final String outputBucket;
    private final ObjectMapper mapper;
    private final Clock clock;

    @Autowired
    public DeadLetters(JobStore jobs, LifecycleEvents events, InboundMessages inbound, S3Client s3,
            AwsResources resources, ObjectMapper mapper) {
        this(jobs, events, inbound, s3, resources.names().outputBucket(), mapper, Clock.systemUTC());
    }

    DeadLetters(JobStore jobs, LifecycleEvents events, InboundMessages inbound, S3Client s3, String outputBucket,
            ObjectMapper mapper, Clock clock) {
        this.jobs = jobs;
        this.events = events;
        this.inbound = inbound;
        this.s3 = s3;
        this.outputBucket = outputBucket;
        this.mapper = mapper;
        this.clock = clock;
    }

    /**
     * Handles one dead letter of {@code queue} (the work queue's short name: chunking, video-worker, reassembly or
     * transcode-events).
     *
     * @param attributes the message's system attributes (SQS's ApproximateReceiveCount among them), keyed by name
     *        or by the SDK's enum; null if none came
     * @param messageAttributes the message's own attributes; null if none
     */
    public Handled handle(String queue, String body, String messageId, Map<?, ?> attributes,
            Map<?, ?> messageAttributes) throws Exception {
        Optional<String> jobId = jobOf(queue, body);
        String key = "dead-letters/" + queue + "/" + jobId.orElse("unknown") + "/" + messageId + ".json";
        Map<String, String> plainAttributes = plain(attributes);
        s3.putObject(r -> r.bucket(outputBucket).key(key).contentType("application/json"),
                RequestBody.fromBytes(mapper.writeValueAsBytes(copy(queue, messageId, body, plainAttributes,
                        messageAttributes))));
        String receives = deliveries(plainAttributes.get("ApproximateReceiveCount"));
        Outcome outcome = jobId.map(id -> giveUp(id, queue, body, receives, key)).orElse(Outcome.NO_JOB);
        LOG.warn("Dead letter from {}-dlq (job {}, {} deliveries): {}; kept at s3://{}/{}", queue,
                jobId.orElse("unknown"), receives, outcome, outputBucket, key);
        return new Handled(outcome, jobId.orElse(null), key);
    }

    private Outcome giveUp(String jobId, String queue, String body, String receives, String key) {
        Optional<Job> found = jobs.find(jobId);
        if (found.isEmpty()) {
            return Outcome.NO_JOB;
        }
        Job job = found.get();
        String reason = "gave up after " + receives + " deliveries from the " + queue + " queue; last error: "
                + (job.lastError() == null ? "none recorded" : job.lastError());
        if (queue.equals("transcode-events") && eventRequest(body) != null) {
            return Outcome.EVENT_NOT_PUBLISHED;
        }
        if (queue.equals("transcode-events") && webhookRequest(body) != null) {
            // Its delivery kept failing before an attempt could be recorded (the Jobs table, the job's view).
            if (jobs.webhookFailed(jobId, "gave up after " + receives + " deliveries of its request; last error: "
                    + (job.webhook() == null || job.webhook().lastError() == null ? "none recorded" : job.webhook().lastError()))) {
                jobs.recordWebhookDeadLetter(jobId, key);
                return Outcome.WEBHOOK_FAILED;
            }
            return Outcome.JOB_ALREADY_ENDED;
        }
        if (queue.equals("transcode-events")) {
            return jobs.hlsFailed(jobId, "DeadLetter", reason) ? Outcome.PACKAGING_FAILED : Outcome.JOB_ALREADY_ENDED;
        }
        if (job.status().isTerminal()) {
            return Outcome.JOB_ALREADY_ENDED;
        }
        if (job.reassemblyLockHeld(clock.instant())) {
            return Outcome.JOB_LOCKED;
        }
        FailurePhase phase = phaseOf(queue, job.lastError());
        JobStore.Transition failed = jobs.failDeadLettered(jobId, phase, reason, key);
        if (failed.outcome() == JobStore.Outcome.MOVED) {
            events.publishFailure(jobId);
            return Outcome.JOB_FAILED;
        }
        return Outcome.JOB_ALREADY_ENDED;
    }

    /** The phase the last recorded error names, else the queue's. */
    static FailurePhase phaseOf(String queue, String lastError) {
        if (lastError != null && lastError.indexOf(':') > 0) {
            try {
                return FailurePhase.fromWireName(lastError.substring(0, lastError.indexOf(':')));
            } catch (IllegalArgumentException notAPhase) {
                // fall through to the queue's phase
            }
        }
        return switch (queue) {
            case "chunking" -> FailurePhase.CHUNKING;
            case "video-worker" -> FailurePhase.INFERENCE;
            case "reassembly" -> FailurePhase.REASSEMBLY;
            default -> FailurePhase.PACKAGING;
        };
    }

    /** The job a message of {@code queue} is about, if it names a valid one. */
    Optional<String> jobOf(String queue, String body) {
        try {
            if (queue.equals("reassembly")) {
                return Optional.of(ReassemblyMessage.jobId(body, mapper));
            }
            InboundMessage message = inbound.classify(body);
            if (message instanceof InboundMessage.ObjectCreated created && !created.objects().isEmpty()) {
                String key = created.objects().get(0).key();
                return Optional.of(queue.equals("chunking") ? SourceKey.parse(key).jobId() : SegmentKey.parse(key).jobId());
            }
            WebhookRequest webhook = WebhookRequest.of(message);
            if (webhook != null) {
                return Optional.of(webhook.jobId());
            }
            LifecycleEvent requested = LifecycleEvent.requested(message);
            if (requested != null) {
                return Optional.of(requested.jobId());
            }
            if (message instanceof InboundMessage.EventBridgeEvent event) {
                return Optional.ofNullable(TranscodeEvents.jobIdOf(event));
            }
        } catch (Exception unreadable) {
            // Not ours to understand: kept under "unknown".
        }
        return Optional.empty();
    }

    /** The lifecycle event a message asks to publish, or null. */
    private LifecycleEvent eventRequest(String body) {
        try {
            return LifecycleEvent.requested(inbound.classify(body));
        } catch (Exception unreadable) {
            return null;
        }
    }

    /** The webhook request a message is, or null. */
    private WebhookRequest webhookRequest(String body) {
        try {
            return WebhookRequest.of(inbound.classify(body));
        } catch (Exception unreadable) {
            return null;
        }
    }

    /** Deliveries from the work queue: the receive count goes on from there, and this receive added one. */
    static String deliveries(String receiveCount) {
        try {
            return String.valueOf(Math.max(1, Integer.parseInt(receiveCount) - 1));
        } catch (NumberFormatException unknown) {
            return "several";
        }
    }

    /** Attributes by name (the SDK keys system attributes by enum), as strings. */
    private static Map<String, String> plain(Map<?, ?> attributes) {
        Map<String, String> plain = new LinkedHashMap<>();
        if (attributes != null) {
            attributes.forEach((name, value) -> plain.put(String.valueOf(name), String.valueOf(value)));
        }
        return plain;
    }

    private Map<String, Object> copy(String queue, String messageId, String body, Map<String, String> attributes,
            Map<?, ?> messageAttributes) {
        Map<String, Object> copy = new LinkedHashMap<>();
        copy.put("queue", queue);
        copy.put("message_id", messageId);
        copy.put("dead_lettered_at", Instant.now(clock).toString());
        copy.put("attributes", attributes);
        if (messageAttributes != null) {
            copy.put("message_attributes", plain(messageAttributes));
        }
        copy.put("body", body);
        return copy;
    }
}
