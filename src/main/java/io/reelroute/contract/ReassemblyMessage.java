package io.reelroute.contract;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The reassembly queue's message, {@code {"job_id": "<uuid>"}}: what the trigger (exactly-once-trigger.camel.yaml),
 * a retry and the watchdog send, and what the reassembly and dead-letters hops read. Built and read only here.
 */
public final class ReassemblyMessage {

    private ReassemblyMessage() {
    }

    /** The message of a job. */
    public static String body(String jobId) {
        return JsonNodeFactory.instance.objectNode().put("job_id", JobIds.requireValid(jobId)).toString();
    }

    /** The job id, or an {@link UnrecognizedMessageException} saying what is wrong with the message. */
    public static String jobId(String body, ObjectMapper mapper) {
        JsonNode message;
        try {
            message = mapper.readTree(body == null ? "" : body);
        } catch (IOException e) {
            throw new UnrecognizedMessageException("a reassembly message must be JSON {\"job_id\": ...}, was: " + abbreviate(body));
        }
        String jobId = message == null ? null : message.path("job_id").asText(null);
        if (jobId == null || !JobIds.isValid(jobId)) {
            throw new UnrecognizedMessageException("a reassembly message needs a job_id that is a lowercase UUID, was: "
                    + abbreviate(body));
        }
        return jobId;
    }

    private static String abbreviate(String body) {
        String text = body == null ? "(empty)" : body.strip();
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
