package io.reelroute.jobs;

import java.time.Clock;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.reelroute.aws.AwsResources;
import io.reelroute.contract.ReassemblyMessage;
import io.reelroute.contract.ResourceNames;
import io.reelroute.transcode.TranscodeEvents;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Sends a phase's message again, in the shape the hop consumes: what a retry (POST /jobs/{id}/retry) and the
 * stall watchdog use to drive a job on. Every hop is safe to run twice, so a message sent again that turns out
 * not to have been lost does no harm.
 */
@Component("redrive")
public class Redrive {

    private final SqsClient sqs;
    private final AwsResources resources;
    private final ResourceNames names;
    private final ObjectMapper mapper;
    private final TranscodeEvents transcodeEvents;
    private final Clock clock;

    @Autowired
    public Redrive(SqsClient sqs, AwsResources resources, ObjectMapper mapper, TranscodeEvents transcodeEvents) {
        this.sqs = sqs;
        this.transcodeEvents = transcodeEvents;
        this.resources = resources;
        this.names = resources.names();
        this.mapper = mapper;
        this.clock = Clock.systemUTC();
    }

    /** The upload event of the job's source: chunking runs (again). */
    public void uploadEvent(String sourceKey) {
        send(names.chunkingQueue(), objectCreated(sourceKey));
    }

    /** A segment's event: its inference runs (again). */
    public void segmentEvent(String segmentKey) {
        send(names.videoWorkerQueue(), objectCreated(segmentKey));
    }

    /** The reassembly hand-off, straight to the reassembly hop (whatever the trigger record says). */
    public void reassembly(String jobId) {
        send(names.reassemblyQueue(), ReassemblyMessage.body(jobId));
    }

    /** The request to package a completed job as HLS, to the transcode-events hop. */
    public void packaging(String jobId) {
        try {
            send(names.transcodeEventsQueue(), transcodeEvents.packagingRequest(jobId));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the packaging request of job " + jobId, e);
        }
    }

    /** A completion webhook's request (made by Webhooks.request), to the transcode-events hop. */
    public void webhook(String request) {
        send(names.transcodeEventsQueue(), request);
    }

    private void send(String queue, String body) {
        sqs.sendMessage(r -> r.queueUrl(resources.queueUrl(queue)).messageBody(body));
    }

    /** The S3 ObjectCreated notification AWS sends for an object in the input bucket. */
    private String objectCreated(String key) {
        ObjectNode record = mapper.createObjectNode()
                .put("eventVersion", "2.1")
                .put("eventSource", "aws:s3")
                .put("eventTime", clock.instant().toString())
                .put("eventName", "ObjectCreated:Put");
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.putObject("bucket").put("name", names.inputBucket()).put("arn", "arn:aws:s3:::" + names.inputBucket());
        s3.putObject("object").put("key", key);
        ObjectNode message = mapper.createObjectNode();
        message.putArray("Records").add(record);
        return message.toString();
    }
}
